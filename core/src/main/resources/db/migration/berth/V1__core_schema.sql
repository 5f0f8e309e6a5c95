-- Berth core schema. Portable across H2 (default) and PostgreSQL: the only type that differs is the binary
-- column type, given by the ${blob_type} placeholder (bytea on PostgreSQL, varbinary on H2).

create table tenants (
    id           varchar(36)  not null primary key,
    external_id  varchar(200) not null,
    email        varchar(320) not null,
    name         varchar(200) not null,
    status       varchar(20)  not null,
    created_at   timestamp with time zone not null,
    constraint uk_tenants_external_id unique (external_id)
);

create table plans (
    id                       varchar(63)  not null primary key,
    name                     varchar(200) not null,
    cpu_request_millis       bigint not null,
    cpu_limit_millis         bigint not null,
    memory_request_bytes     bigint not null,
    memory_limit_bytes       bigint not null,
    disk_bytes               bigint not null,
    backup_interval_seconds  bigint,
    backup_retention_seconds bigint not null,
    isolation                varchar(20) not null,
    grace_period_seconds     bigint not null,
    retention_seconds        bigint not null,
    price_ids                varchar(2000) not null,
    version                  bigint not null
);

create table nodes (
    id                varchar(63)  not null primary key,
    provider_kind     varchar(50)  not null,
    target            varchar(200) not null,
    labels            varchar(4000) not null,
    cpu_millis        bigint not null,
    memory_bytes      bigint not null,
    disk_bytes        bigint not null,
    overcommit_cpu    double precision not null,
    overcommit_memory double precision not null,
    overcommit_disk   double precision not null,
    reserved_fraction double precision not null,
    public_address    varchar(255),
    status            varchar(20) not null,
    version           bigint not null
);

create table instances (
    id                 varchar(36)  not null primary key,
    tenant_id          varchar(36)  not null references tenants (id),
    app_id             varchar(63)  not null,
    app_version        varchar(100) not null,
    plan_id            varchar(63)  not null references plans (id),
    slug               varchar(63)  not null,
    hostname           varchar(253) not null,
    node_id            varchar(63)  references nodes (id),
    state              varchar(20)  not null,
    state_reason       varchar(2000),
    suspension_reason  varchar(20),
    entitlement        varchar(20)  not null,
    entitlement_at     timestamp with time zone not null,
    idempotency_key    varchar(200),
    active_operation   varchar(36),
    created_at         timestamp with time zone not null,
    updated_at         timestamp with time zone not null,
    version            bigint not null,
    constraint uk_instances_slug unique (slug),
    constraint uk_instances_idempotency unique (tenant_id, idempotency_key)
);
create index ix_instances_tenant on instances (tenant_id);
create index ix_instances_node on instances (node_id);
create index ix_instances_state on instances (state);

create table instance_secrets (
    instance_id varchar(36) not null references instances (id),
    name        varchar(100) not null,
    ciphertext  ${blob_type} not null,
    primary key (instance_id, name)
);

create table operations (
    id              varchar(36) not null primary key,
    instance_id     varchar(36) not null references instances (id),
    type            varchar(30) not null,
    status          varchar(20) not null,
    step            varchar(30),
    completed_steps varchar(1000) not null,
    attempts        integer not null,
    last_error      varchar(2000),
    params          varchar(2000) not null,
    created_at      timestamp with time zone not null,
    updated_at      timestamp with time zone not null,
    finished_at     timestamp with time zone,
    version         bigint not null
);
create index ix_operations_instance on operations (instance_id);
create index ix_operations_status on operations (status);

create table billing_events (
    event_id    varchar(255) not null primary key,
    instance_id varchar(36)  not null,
    applied_at  timestamp with time zone not null
);

-- db-scheduler's table (durable, cluster-safe execution of operations and jobs), as its README gives it.
create table scheduled_tasks (
    task_name            varchar(100) not null,
    task_instance        varchar(100) not null,
    task_data            ${blob_type},
    execution_time       timestamp with time zone not null,
    picked               boolean not null,
    picked_by            varchar(50),
    last_success         timestamp with time zone,
    last_failure         timestamp with time zone,
    consecutive_failures integer,
    last_heartbeat       timestamp with time zone,
    version              bigint not null,
    priority             smallint,
    primary key (task_name, task_instance)
);
create index ix_scheduled_tasks_execution_time on scheduled_tasks (execution_time);
create index ix_scheduled_tasks_last_heartbeat on scheduled_tasks (last_heartbeat);
create index ix_scheduled_tasks_priority on scheduled_tasks (priority desc, execution_time asc);
