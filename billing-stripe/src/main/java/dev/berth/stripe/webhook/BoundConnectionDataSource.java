package dev.berth.stripe.webhook;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * A data source that hands out the connection bound to the current thread, and whose connections ignore
 * {@code close()}: db-scheduler's client, built over it, then writes into the caller's open transaction (it never
 * commits a connection with auto-commit off), which is how db-scheduler schedules "inside an existing transaction"
 * without a transaction manager.
 */
final class BoundConnectionDataSource implements DataSource {

    private final ThreadLocal<Connection> bound = new ThreadLocal<>();

    /** Runs {@code work} with {@code c} as the connection this data source returns. */
    <T> T with(Connection c, Supplier<T> work) {
        bound.set(c);
        try {
            return work.get();
        } finally {
            bound.remove();
        }
    }

    @Override
    public Connection getConnection() throws SQLException {
        Connection c = bound.get();
        if (c == null) throw new SQLException("no transaction bound to this thread");
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("close")) return null; // the transaction's owner closes it
                    try {
                        return method.invoke(c, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return getConnection();
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
    }

    @Override
    public void setLoginTimeout(int seconds) {
    }

    @Override
    public int getLoginTimeout() {
        return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        throw new SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return false;
    }
}
