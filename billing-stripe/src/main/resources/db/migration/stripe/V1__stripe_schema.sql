-- Tables of the Stripe billing module, kept apart from core's schema: this location has its own Flyway history
-- table (flyway_stripe_history), so the module migrates independently of core and of other modules.

-- Every accepted webhook event, by Stripe's event id (primary key = the dedupe). A row is written in the same
-- transaction that accepts the delivery; status RECEIVED means "queued", the worker sets DONE or FAILED.
create table stripe_events (
    event_id        varchar(255) not null primary key,
    type            varchar(100) not null,
    api_version     varchar(50),
    subscription_id varchar(255) not null,
    stripe_created  timestamp with time zone not null,
    received_at     timestamp with time zone not null,
    status          varchar(20)  not null,
    attempts        integer      not null,
    last_error      varchar(2000),
    processed_at    timestamp with time zone
);
create index ix_stripe_events_status on stripe_events (status, received_at);

-- Which Berth tenant and instance each Stripe subscription pays for, and what Berth last saw of it.
create table stripe_subscriptions (
    subscription_id varchar(255) not null primary key,
    customer_id     varchar(255),
    tenant_id       varchar(36)  not null,
    app_id          varchar(63)  not null,
    plan_id         varchar(63),
    instance_id     varchar(36),
    status          varchar(30)  not null,
    price_id        varchar(255),
    synced_at       timestamp with time zone not null
);
create index ix_stripe_subscriptions_tenant on stripe_subscriptions (tenant_id);

-- db-scheduler's table for this module's own scheduler (event processing, reconciliation), separate from core's
-- scheduled_tasks so that neither scheduler sees the other's tasks as unknown.
create table stripe_scheduled_tasks (
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
create index ix_stripe_scheduled_tasks_execution_time on stripe_scheduled_tasks (execution_time);
create index ix_stripe_scheduled_tasks_last_heartbeat on stripe_scheduled_tasks (last_heartbeat);
create index ix_stripe_scheduled_tasks_priority on stripe_scheduled_tasks (priority desc, execution_time asc);
