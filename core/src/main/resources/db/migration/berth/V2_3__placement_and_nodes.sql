-- Placement and node management (issue 3). Versioned 2.3 rather than 2 so that it cannot collide with another
-- V2 written in parallel; Flyway orders 2 < 2.3 < 3.

-- a plan may name its own placement strategy (null: the global one) and ask for tenant anti-affinity
alter table plans add column placement_strategy varchar(50);
alter table plans add column anti_affinity boolean default false not null;

-- labels the tenant asked for ("region" -> "eu"), kept so that a queued instance is placed by the same rules;
-- target_node_id holds a migration's reservation on its destination until the move finishes
alter table instances add column required_labels varchar(2000) default '{}' not null;
alter table instances add column target_node_id varchar(63);
create index ix_instances_target_node on instances (target_node_id);

-- node credentials (API tokens) encrypted with the operator's key; health bookkeeping of the node job
alter table nodes add column credential ${blob_type};
alter table nodes add column health_failures integer default 0 not null;
alter table nodes add column status_reason varchar(500);

-- usage samples from the node job, pruned to a bounded window
create table node_usage (
    node_id          varchar(63) not null,
    observed_at      timestamp with time zone not null,
    healthy          boolean not null,
    cpu_used_millis  bigint not null,
    memory_used_bytes bigint not null,
    disk_used_bytes  bigint not null,
    instance_count   integer not null,
    primary key (node_id, observed_at)
);
create index ix_node_usage_observed_at on node_usage (observed_at);
