-- SQL as ORMs and drivers generate it for PostgreSQL (Hibernate 6, Spring Data JPA, Django, Rails
-- ActiveRecord, SQLAlchemy, Prisma, pgJDBC), in the form that reaches the server: JDBC ? and psycopg
-- %(name)s placeholders become $n. Written from their documented output. One per line.
select c1_0.id,c1_0.created_at,c1_0.email,c1_0.name from shop.customers c1_0 where c1_0.id=$1
select c1_0.id,c1_0.created_at,c1_0.email,c1_0.name from shop.customers c1_0 where c1_0.email=$1 fetch first $2 rows only
select o1_0.id,o1_0.customer_id,o1_0.status,o1_0.total from shop.orders o1_0 left join shop.customers c1_0 on c1_0.id=o1_0.customer_id where c1_0.email like $1 escape '' order by o1_0.id desc offset $2 rows fetch first $3 rows only
select count(o1_0.id) from shop.orders o1_0 where o1_0.status in ($1,$2,$3)
insert into shop.customers (created_at,email,name) values ($1,$2,$3) returning id
insert into shop.orders (customer_id,status,total,id) values ($1,$2,$3,$4)
update shop.orders set customer_id=$1,status=$2,total=$3 where id=$4
delete from shop.orders where id=$1
select nextval('shop.orders_id_seq')
select next value for shop.invoice_seq
select customer0_.id as id1_0_, customer0_.email as email2_0_ from customers customer0_ where customer0_.id=$1 for update
select o.id, o.total from orders o where o.customer_id = $1 limit $2 offset $3
SELECT "shop_customer"."id", "shop_customer"."email", "shop_customer"."name" FROM "shop_customer" WHERE "shop_customer"."id" = 42 LIMIT 21
SELECT "shop_order"."id", "shop_order"."total" FROM "shop_order" INNER JOIN "shop_customer" ON ("shop_order"."customer_id" = "shop_customer"."id") WHERE ("shop_customer"."email" = 'a@example.com' AND "shop_order"."total" > 10) ORDER BY "shop_order"."id" DESC
INSERT INTO "shop_customer" ("email", "name", "created_at") VALUES ('b@example.com', 'Bob', '2025-01-01T00:00:00+00:00'::timestamptz) RETURNING "shop_customer"."id"
UPDATE "shop_order" SET "status" = 'paid' WHERE "shop_order"."id" IN (1, 2, 3)
SELECT "customers".* FROM "customers" WHERE "customers"."email" = $1 LIMIT $2
SELECT 1 AS one FROM "customers" WHERE "customers"."email" = $1 LIMIT $2
INSERT INTO "customers" ("email", "created_at", "updated_at") VALUES ($1, $2, $3) RETURNING "id"
UPDATE "customers" SET "name" = $1, "updated_at" = $2 WHERE "customers"."id" = $3
SELECT COUNT(*) FROM "orders" WHERE "orders"."customer_id" = $1
SELECT a.attname, format_type(a.atttypid, a.atttypmod), pg_get_expr(d.adbin, d.adrelid), a.attnotnull, a.atttypid, a.atttypmod FROM pg_attribute a LEFT JOIN pg_attrdef d ON a.attrelid = d.adrelid AND a.attnum = d.adnum WHERE a.attrelid = '"customers"'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum
SELECT customers.id, customers.email FROM customers WHERE customers.id = $1
INSERT INTO orders (customer_id, total, status) VALUES ($1, $2, $3) RETURNING orders.id
INSERT INTO "public"."Order" ("customerId","total") VALUES ($1,$2) RETURNING "public"."Order"."id", "public"."Order"."customerId", "public"."Order"."total"
SELECT "public"."User"."id", "public"."User"."email" FROM "public"."User" WHERE ("public"."User"."email" = $1 AND 1=1) LIMIT $2 OFFSET $3
insert into shop.customers (email, name) values ($1, $2) on conflict (email) do update set name = excluded.name returning id
insert into shop.customers (email, name) values ($1, $2) on conflict do nothing
insert into shop.orders (customer_id, total) select id, 0 from shop.customers where created_at > now() - interval '1 day'
with recent as (select customer_id, sum(total) as spent from shop.orders where status = 'paid' group by customer_id) select c.email, r.spent from shop.customers c join recent r on r.customer_id = c.id order by r.spent desc limit 10
select c.id, (select count(*) from shop.orders o where o.customer_id = c.id) as orders from shop.customers c where exists (select 1 from shop.orders o where o.customer_id = c.id and o.total > $1)
select * from shop.orders where customer_id = any($1::bigint[])
select id, payload->>'kind' as kind from shop.events where payload @> $1::jsonb and at >= $2 order by at desc
select date_trunc('day', at) as day, count(*) from shop.events group by 1 order by 1
select id, rank() over (partition by customer_id order by total desc) from shop.orders
SET application_name = 'PostgreSQL JDBC Driver'
SET extra_float_digits = 3
SHOW TRANSACTION ISOLATION LEVEL
BEGIN READ ONLY
SELECT pg_advisory_xact_lock($1)
SAVEPOINT active_record_1
RELEASE SAVEPOINT active_record_1
ROLLBACK TO SAVEPOINT active_record_1
DEALLOCATE ALL
SELECT t.oid, t.typname FROM pg_type t JOIN pg_namespace n ON t.typnamespace = n.oid WHERE n.nspname != 'pg_toast' AND (t.typrelid = 0 OR (SELECT c.relkind = 'c' FROM pg_class c WHERE c.oid = t.typrelid))
