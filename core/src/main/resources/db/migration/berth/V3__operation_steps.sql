-- The step journal: one row per step an operation started, with its completion once recorded. It replaces the
-- comma-separated operations.completed_steps column. Portable across H2 and PostgreSQL.

create table operation_steps (
    operation_id varchar(36) not null references operations (id),
    step         varchar(30) not null,
    -- the order the operation started its steps in (steps run one after the other, so also the completion order);
    -- timestamps cannot order them: a fake clock, or one transaction, gives several steps the same instant
    seq          integer     not null,
    started_at   timestamp with time zone not null,
    completed_at timestamp with time zone,
    primary key (operation_id, step)
);

-- Operations recorded before this migration (one may be in flight during the upgrade): each step named in the old
-- column becomes a completed row, ordered by its position in the list, so a resumed operation skips exactly the
-- steps it skipped before. The names are the engine's step names; the list is matched with commas on both sides.
insert into operation_steps (operation_id, step, seq, started_at, completed_at)
select o.id, s.name, position(',' || s.name || ',' in ',' || o.completed_steps || ','), o.updated_at, o.updated_at
from operations o, (
    select 'PLACE' as name union all select 'SECRETS' union all select 'DNS' union all select 'RUNTIME'
    union all select 'READY' union all select 'ACTIVATE' union all select 'FINALIZE' union all select 'CAPACITY'
    union all select 'BACKUP' union all select 'RESTORE' union all select 'SEND'
) s
where position(',' || s.name || ',' in ',' || o.completed_steps || ',') > 0;

-- the step an in-flight operation was at (started, completion not recorded) keeps its start
insert into operation_steps (operation_id, step, seq, started_at, completed_at)
select o.id, o.step, length(o.completed_steps) + 2, o.updated_at, null
from operations o
where o.step is not null
  and position(',' || o.step || ',' in ',' || o.completed_steps || ',') = 0;

alter table operations drop column completed_steps;
