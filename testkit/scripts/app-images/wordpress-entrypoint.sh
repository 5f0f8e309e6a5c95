#!/bin/sh
# WordPress from Debian's package with the official image's contract: /var/www/html is the data volume holding
# WordPress itself and wp-config.php; on first start the code is copied there and wp-config.php is written from
# WORDPRESS_DB_HOST/_USER/_PASSWORD/_NAME and WORDPRESS_CONFIG_EXTRA with fresh salts. Apache + mod_php serve it.
set -e
ROOT=/var/www/html
if [ ! -e "$ROOT/wp-includes/version.php" ]; then
    cp -a /usr/share/wordpress/. "$ROOT/"
    # Debian's package links wp-content to /var/lib/wordpress: the volume holds the real directory instead
    rm -rf "$ROOT/wp-content"
    cp -a /usr/share/wordpress/wp-content/. "$ROOT/wp-content/" 2>/dev/null || mkdir -p "$ROOT/wp-content"
    mkdir -p "$ROOT/wp-content/uploads" "$ROOT/wp-content/plugins" "$ROOT/wp-content/themes"
    cp -a /usr/share/wordpress/wp-content/themes/. "$ROOT/wp-content/themes/" 2>/dev/null || true
    cp -a /usr/share/wordpress/wp-content/plugins/. "$ROOT/wp-content/plugins/" 2>/dev/null || true
    rm -f "$ROOT/wp-config.php"
fi
if [ ! -e "$ROOT/wp-config.php" ]; then
    salt() { head -c 48 /dev/urandom | base64 | tr -d '\n/+='; }
    php_str() { printf '%s' "$1" | sed "s/\\\\/\\\\\\\\/g; s/'/\\\\'/g"; }
    umask 027
    {
        echo "<?php"
        echo "define('DB_NAME', '$(php_str "${WORDPRESS_DB_NAME:-wordpress}")');"
        echo "define('DB_USER', '$(php_str "${WORDPRESS_DB_USER:?WORDPRESS_DB_USER is required}")');"
        echo "define('DB_PASSWORD', '$(php_str "${WORDPRESS_DB_PASSWORD:?WORDPRESS_DB_PASSWORD is required}")');"
        echo "define('DB_HOST', '$(php_str "${WORDPRESS_DB_HOST:-localhost}")');"
        echo "define('DB_CHARSET', 'utf8mb4');"
        echo "define('DB_COLLATE', '');"
        for k in AUTH_KEY SECURE_AUTH_KEY LOGGED_IN_KEY NONCE_KEY AUTH_SALT SECURE_AUTH_SALT LOGGED_IN_SALT NONCE_SALT; do
            echo "define('$k', '$(salt)');"
        done
        echo "\$table_prefix = 'wp_';"
        echo "if (isset(\$_SERVER['HTTP_X_FORWARDED_PROTO']) && \$_SERVER['HTTP_X_FORWARDED_PROTO'] === 'https') { \$_SERVER['HTTPS'] = 'on'; }"
        printf '%s\n' "${WORDPRESS_CONFIG_EXTRA:-}"
        echo "if (!defined('ABSPATH')) { define('ABSPATH', __DIR__ . '/'); }"
        echo "require_once ABSPATH . 'wp-settings.php';"
    } >"$ROOT/wp-config.php"
fi
chown -R www-data:www-data "$ROOT"
# the site is the whole server: serve /var/www/html on port 80 with .htaccess allowed
cat >/etc/apache2/sites-available/000-default.conf <<'CONF'
<VirtualHost *:80>
    DocumentRoot /var/www/html
    <Directory /var/www/html>
        AllowOverride All
        Require all granted
    </Directory>
    ErrorLog /dev/stderr
    CustomLog /dev/stdout combined
</VirtualHost>
CONF
a2enmod rewrite >/dev/null 2>&1 || true
. /etc/apache2/envvars
mkdir -p "$APACHE_RUN_DIR" "$APACHE_LOCK_DIR" "$APACHE_LOG_DIR"
exec apache2 -DFOREGROUND
