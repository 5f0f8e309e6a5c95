-- API keys of the example server. Kept in its own Flyway location and history table
-- (berth_server_schema_history) so that core's migration numbers stay free.
create table berth_server_api_keys (
    id         varchar(32)  not null primary key,
    name       varchar(100) not null,
    scope      varchar(16)  not null,
    key_hash   varchar(64)  not null,  -- hex SHA-256 of the whole key; the key itself is never stored
    created_at timestamp    not null
);
