-- A store's count of a customer's orders may be unknown (the store did not
-- send it): NULL, not 0. A profile saved with neither a count nor an amount
-- spent was an id only, its count never known.
alter table customer_stores
    alter column orders_count drop not null,
    alter column orders_count drop default;
update customer_stores set orders_count = null where orders_count = 0 and total_spent = '';
