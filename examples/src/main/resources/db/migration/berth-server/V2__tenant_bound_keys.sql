-- Keys bound to one tenant (scope TENANT): a customer's own dashboard reaches only that tenant.
-- Existing keys (ADMIN, PORTAL) keep a null tenant_id and stay valid.
alter table berth_server_api_keys add column tenant_id varchar(36);

-- a tenant removed from the database takes its keys with it; a tenant that is only disabled (deleted while
-- terminated instances keep their history) has its keys revoked by the server and refused at authentication
alter table berth_server_api_keys add constraint fk_berth_server_api_keys_tenant
    foreign key (tenant_id) references tenants (id) on delete cascade;

alter table berth_server_api_keys add constraint ck_berth_server_api_keys_tenant
    check ((scope = 'TENANT' and tenant_id is not null) or (scope <> 'TENANT' and tenant_id is null));

create index ix_berth_server_api_keys_tenant on berth_server_api_keys (tenant_id);
