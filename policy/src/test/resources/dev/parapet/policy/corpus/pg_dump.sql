-- pg_dump 15 --exclude-table-data=public.pgbench_accounts analyzer_corpus, as printed (pgbench tables plus a 'shop' schema
-- with a view, materialized view, sequence, rule, trigger, policy, domain, enum, partitioned table and grants).
--
-- PostgreSQL database dump
--

\restrict M20N4AlLqDWgdpcjLNm22xaiXEstEe5HeTkDaUEU74jKGntIN7NvKiVJrUhP4Kr

-- Dumped from database version 15.20 (Debian 15.20-0+deb12u1)
-- Dumped by pg_dump version 15.20 (Debian 15.20-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: shop; Type: SCHEMA; Schema: -; Owner: postgres
--

CREATE SCHEMA shop;


ALTER SCHEMA shop OWNER TO postgres;

--
-- Name: email; Type: DOMAIN; Schema: shop; Owner: postgres
--

CREATE DOMAIN shop.email AS text
	CONSTRAINT email_check CHECK ((VALUE ~~ '%@%'::text));


ALTER DOMAIN shop.email OWNER TO postgres;

--
-- Name: mood; Type: TYPE; Schema: shop; Owner: postgres
--

CREATE TYPE shop.mood AS ENUM (
    'sad',
    'ok',
    'happy'
);


ALTER TYPE shop.mood OWNER TO postgres;

--
-- Name: order_count(bigint); Type: FUNCTION; Schema: shop; Owner: postgres
--

CREATE FUNCTION shop.order_count(c bigint) RETURNS bigint
    LANGUAGE sql STABLE
    AS $$ select count(*) from shop.orders where customer_id = c $$;


ALTER FUNCTION shop.order_count(c bigint) OWNER TO postgres;

--
-- Name: touch(bigint); Type: PROCEDURE; Schema: shop; Owner: postgres
--

CREATE PROCEDURE shop.touch(IN c bigint)
    LANGUAGE plpgsql
    AS $$ begin update shop.customers set name = name where id = c; end $$;


ALTER PROCEDURE shop.touch(IN c bigint) OWNER TO postgres;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: pgbench_accounts; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.pgbench_accounts (
    aid integer NOT NULL,
    bid integer,
    abalance integer,
    filler character(84)
)
WITH (fillfactor='100');


ALTER TABLE public.pgbench_accounts OWNER TO postgres;

--
-- Name: pgbench_branches; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.pgbench_branches (
    bid integer NOT NULL,
    bbalance integer,
    filler character(88)
)
WITH (fillfactor='100');


ALTER TABLE public.pgbench_branches OWNER TO postgres;

--
-- Name: pgbench_history; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.pgbench_history (
    tid integer,
    bid integer,
    aid integer,
    delta integer,
    mtime timestamp without time zone,
    filler character(22)
);


ALTER TABLE public.pgbench_history OWNER TO postgres;

--
-- Name: pgbench_tellers; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.pgbench_tellers (
    tid integer NOT NULL,
    bid integer,
    tbalance integer,
    filler character(84)
)
WITH (fillfactor='100');


ALTER TABLE public.pgbench_tellers OWNER TO postgres;

--
-- Name: orders; Type: TABLE; Schema: shop; Owner: postgres
--

CREATE TABLE shop.orders (
    id bigint NOT NULL,
    customer_id bigint,
    total numeric(10,2),
    status character varying(20) DEFAULT 'new'::character varying,
    CONSTRAINT orders_total_check CHECK ((total >= (0)::numeric))
);


ALTER TABLE shop.orders OWNER TO postgres;

--
-- Name: big_orders; Type: VIEW; Schema: shop; Owner: postgres
--

CREATE VIEW shop.big_orders AS
 SELECT orders.id,
    orders.customer_id,
    orders.total,
    orders.status
   FROM shop.orders
  WHERE (orders.total > (100)::numeric);


ALTER TABLE shop.big_orders OWNER TO postgres;

--
-- Name: customers; Type: TABLE; Schema: shop; Owner: postgres
--

CREATE TABLE shop.customers (
    id bigint NOT NULL,
    email text NOT NULL,
    name text,
    created_at timestamp with time zone DEFAULT now()
);


ALTER TABLE shop.customers OWNER TO postgres;

--
-- Name: TABLE customers; Type: COMMENT; Schema: shop; Owner: postgres
--

COMMENT ON TABLE shop.customers IS 'People who buy things';


--
-- Name: customers_id_seq; Type: SEQUENCE; Schema: shop; Owner: postgres
--

CREATE SEQUENCE shop.customers_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


ALTER TABLE shop.customers_id_seq OWNER TO postgres;

--
-- Name: customers_id_seq; Type: SEQUENCE OWNED BY; Schema: shop; Owner: postgres
--

ALTER SEQUENCE shop.customers_id_seq OWNED BY shop.customers.id;


--
-- Name: events; Type: TABLE; Schema: shop; Owner: postgres
--

CREATE TABLE shop.events (
    id bigint,
    at timestamp with time zone NOT NULL,
    payload jsonb
)
PARTITION BY RANGE (at);


ALTER TABLE shop.events OWNER TO postgres;

--
-- Name: events_2026; Type: TABLE; Schema: shop; Owner: postgres
--

CREATE TABLE shop.events_2026 (
    id bigint,
    at timestamp with time zone NOT NULL,
    payload jsonb
);


ALTER TABLE shop.events_2026 OWNER TO postgres;

--
-- Name: invoice_seq; Type: SEQUENCE; Schema: shop; Owner: postgres
--

CREATE SEQUENCE shop.invoice_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


ALTER TABLE shop.invoice_seq OWNER TO postgres;

--
-- Name: orders_id_seq; Type: SEQUENCE; Schema: shop; Owner: postgres
--

CREATE SEQUENCE shop.orders_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


ALTER TABLE shop.orders_id_seq OWNER TO postgres;

--
-- Name: orders_id_seq; Type: SEQUENCE OWNED BY; Schema: shop; Owner: postgres
--

ALTER SEQUENCE shop.orders_id_seq OWNED BY shop.orders.id;


--
-- Name: totals; Type: MATERIALIZED VIEW; Schema: shop; Owner: postgres
--

CREATE MATERIALIZED VIEW shop.totals AS
 SELECT orders.customer_id,
    sum(orders.total) AS sum
   FROM shop.orders
  GROUP BY orders.customer_id
  WITH NO DATA;


ALTER TABLE shop.totals OWNER TO postgres;

--
-- Name: events_2026; Type: TABLE ATTACH; Schema: shop; Owner: postgres
--

ALTER TABLE ONLY shop.events ATTACH PARTITION shop.events_2026 FOR VALUES FROM ('2026-01-01 00:00:00+00') TO ('2027-01-01 00:00:00+00');


--
-- Name: customers id; Type: DEFAULT; Schema: shop; Owner: postgres
--

ALTER TABLE ONLY shop.customers ALTER COLUMN id SET DEFAULT nextval('shop.customers_id_seq'::regclass);


--
-- Name: orders id; Type: DEFAULT; Schema: shop; Owner: postgres
--

ALTER TABLE ONLY shop.orders ALTER COLUMN id SET DEFAULT nextval('shop.orders_id_seq'::regclass);


--
-- Data for Name: pgbench_branches; Type: TABLE DATA; Schema: public; Owner: postgres
--

COPY public.pgbench_branches (bid, bbalance, filler) FROM stdin;
1	1700	\N
\.


--
-- Data for Name: pgbench_history; Type: TABLE DATA; Schema: public; Owner: postgres
--

COPY public.pgbench_history (tid, bid, aid, delta, mtime, filler) FROM stdin;
\.


--
-- Data for Name: pgbench_tellers; Type: TABLE DATA; Schema: public; Owner: postgres
--

COPY public.pgbench_tellers (tid, bid, tbalance, filler) FROM stdin;
1	1	0	\N
2	1	0	\N
3	1	0	\N
4	1	0	\N
5	1	0	\N
6	1	0	\N
8	1	0	\N
9	1	0	\N
10	1	0	\N
7	1	1700	\N
\.


--
-- Data for Name: customers; Type: TABLE DATA; Schema: shop; Owner: postgres
--

COPY shop.customers (id, email, name, created_at) FROM stdin;
1	a@example.com	Ann	2026-11-25 13:42:37.219291+00
2	b@example.com	Bob	2026-11-25 13:42:37.219291+00
\.


--
-- Data for Name: events_2026; Type: TABLE DATA; Schema: shop; Owner: postgres
--

COPY shop.events_2026 (id, at, payload) FROM stdin;
\.


--
-- Data for Name: orders; Type: TABLE DATA; Schema: shop; Owner: postgres
--

COPY shop.orders (id, customer_id, total, status) FROM stdin;
1	1	10.50	new
2	2	200.00	new
\.


--
-- Name: customers_id_seq; Type: SEQUENCE SET; Schema: shop; Owner: postgres
--

SELECT pg_catalog.setval('shop.customers_id_seq', 2, true);


--
-- Name: invoice_seq; Type: SEQUENCE SET; Schema: shop; Owner: postgres
--

SELECT pg_catalog.setval('shop.invoice_seq', 1, false);


--
-- Name: orders_id_seq; Type: SEQUENCE SET; Schema: shop; Owner: postgres
--

SELECT pg_catalog.setval('shop.orders_id_seq', 2, true);


--
-- Name: pgbench_accounts pgbench_accounts_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.pgbench_accounts
    ADD CONSTRAINT pgbench_accounts_pkey PRIMARY KEY (aid);


--
-- Name: pgbench_branches pgbench_branches_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.pgbench_branches
    ADD CONSTRAINT pgbench_branches_pkey PRIMARY KEY (bid);


--
-- Name: pgbench_tellers pgbench_tellers_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.pgbench_tellers
    ADD CONSTRAINT pgbench_tellers_pkey PRIMARY KEY (tid);


--
-- Name: customers customers_email_key; Type: CONSTRAINT; Schema: shop; Owner: postgres
--

ALTER TABLE ONLY shop.customers
    ADD CONSTRAINT customers_email_key UNIQUE (email);


--
-- Name: customers customers_pkey; Type: CONSTRAINT; Schema: shop; Owner: postgres
--

ALTER TABLE ONLY shop.customers
    ADD CONSTRAINT customers_pkey PRIMARY KEY (id);


--
-- Name: orders orders_pkey; Type: CONSTRAINT; Schema: shop; Owner: postgres
--

ALTER TABLE ONLY shop.orders
    ADD CONSTRAINT orders_pkey PRIMARY KEY (id);


--
-- Name: orders_customer_idx; Type: INDEX; Schema: shop; Owner: postgres
--

CREATE INDEX orders_customer_idx ON shop.orders USING btree (customer_id);


--
-- Name: big_orders big_orders_insert; Type: RULE; Schema: shop; Owner: postgres
--

CREATE RULE big_orders_insert AS
    ON INSERT TO shop.big_orders DO INSTEAD  INSERT INTO shop.orders (customer_id, total)
  VALUES (new.customer_id, new.total);


--
-- Name: orders t1; Type: TRIGGER; Schema: shop; Owner: postgres
--

CREATE TRIGGER t1 BEFORE INSERT ON shop.orders FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger();


--
-- Name: orders orders_customer_id_fkey; Type: FK CONSTRAINT; Schema: shop; Owner: postgres
--

ALTER TABLE ONLY shop.orders
    ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES shop.customers(id);


--
-- Name: orders; Type: ROW SECURITY; Schema: shop; Owner: postgres
--

ALTER TABLE shop.orders ENABLE ROW LEVEL SECURITY;

--
-- Name: orders own_orders; Type: POLICY; Schema: shop; Owner: postgres
--

CREATE POLICY own_orders ON shop.orders FOR SELECT USING (((status)::text <> 'hidden'::text));


--
-- Name: SCHEMA shop; Type: ACL; Schema: -; Owner: postgres
--

GRANT USAGE ON SCHEMA shop TO PUBLIC;


--
-- Name: TABLE customers; Type: ACL; Schema: shop; Owner: postgres
--

GRANT SELECT ON TABLE shop.customers TO PUBLIC;


--
-- Name: totals; Type: MATERIALIZED VIEW DATA; Schema: shop; Owner: postgres
--

REFRESH MATERIALIZED VIEW shop.totals;


--
-- PostgreSQL database dump complete
--

\unrestrict M20N4AlLqDWgdpcjLNm22xaiXEstEe5HeTkDaUEU74jKGntIN7NvKiVJrUhP4Kr

