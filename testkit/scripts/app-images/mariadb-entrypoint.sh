#!/bin/sh
# MariaDB from Debian with the official image's environment contract: on an empty data directory it initialises
# the server, sets MARIADB_ROOT_PASSWORD and creates MARIADB_DATABASE and MARIADB_USER/MARIADB_PASSWORD; then it
# runs mariadbd in the foreground as the mysql user. Values are passed to the server on stdin, never on a
# command line (where `ps` would show them).
set -eu
DATA=/var/lib/mysql
mkdir -p "$DATA" /run/mysqld
chown -R mysql:mysql "$DATA" /run/mysqld
if [ ! -d "$DATA/mysql" ]; then
    mariadb-install-db --user=mysql --datadir="$DATA" --auth-root-authentication-method=normal --skip-test-db >/dev/null
    mariadbd --user=mysql --datadir="$DATA" --skip-networking --socket=/run/mysqld/init.sock &
    pid=$!
    i=0
    until mariadb-admin --socket=/run/mysqld/init.sock ping >/dev/null 2>&1; do
        i=$((i + 1)); [ "$i" -lt 120 ] || { echo "mariadb did not start" >&2; exit 1; }
        sleep 0.5
    done
    esc() { printf '%s' "$1" | sed "s/\\\\/\\\\\\\\/g; s/'/\\\\'/g"; }
    {
        echo "ALTER USER 'root'@'localhost' IDENTIFIED BY '$(esc "${MARIADB_ROOT_PASSWORD:?MARIADB_ROOT_PASSWORD is required}")';"
        echo "CREATE USER IF NOT EXISTS 'root'@'%' IDENTIFIED BY '$(esc "$MARIADB_ROOT_PASSWORD")';"
        echo "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;"
        if [ -n "${MARIADB_DATABASE:-}" ]; then
            echo "CREATE DATABASE IF NOT EXISTS \`$MARIADB_DATABASE\`;"
        fi
        if [ -n "${MARIADB_USER:-}" ]; then
            echo "CREATE USER IF NOT EXISTS '$MARIADB_USER'@'%' IDENTIFIED BY '$(esc "${MARIADB_PASSWORD:?MARIADB_PASSWORD is required}")';"
            [ -n "${MARIADB_DATABASE:-}" ] && echo "GRANT ALL ON \`$MARIADB_DATABASE\`.* TO '$MARIADB_USER'@'%';"
        fi
        echo "FLUSH PRIVILEGES;"
    } | mariadb --socket=/run/mysqld/init.sock -uroot
    kill "$pid"
    wait "$pid" || true
fi
exec mariadbd --user=mysql --datadir="$DATA" --bind-address=0.0.0.0 --port=3306 --socket=/run/mysqld/mysqld.sock
