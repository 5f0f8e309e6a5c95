package dev.berth.core.store;

import dev.berth.spi.error.InvalidSpecException;

/**
 * Where Berth keeps its state. The password is never printed by {@link #toString()}.
 *
 * @param jdbcUrl  JDBC URL: {@code jdbc:h2:file:./data/berth} (default, embedded) or {@code jdbc:postgresql://…}
 * @param user     database user
 * @param password database password
 * @param maxPool  connection pool size
 */
public record DatabaseSettings(String jdbcUrl, String user, String password, int maxPool) {

    public DatabaseSettings {
        if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:")) {
            throw new InvalidSpecException("database.url", "must be a JDBC URL (jdbc:h2:… or jdbc:postgresql:…)");
        }
        if (maxPool < 2) {
            throw new InvalidSpecException("database.maxPool", "must be at least 2");
        }
    }

    /** An embedded H2 database in {@code directory}. */
    public static DatabaseSettings h2File(String directory) {
        return new DatabaseSettings("jdbc:h2:file:" + directory + "/berth;DB_CLOSE_ON_EXIT=FALSE", "sa", "", 10);
    }

    /** An in-memory H2 database that lives as long as the JVM (tests). */
    public static DatabaseSettings h2Memory(String name) {
        return new DatabaseSettings("jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1", "sa", "", 10);
    }

    @Override
    public String toString() {
        return "DatabaseSettings[jdbcUrl=" + jdbcUrl + ", user=" + user + ", password=****, maxPool=" + maxPool + "]";
    }
}
