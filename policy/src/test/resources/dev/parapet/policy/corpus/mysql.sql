-- SQL as MySQL clients, drivers and ORMs send it (MySQL Connector/J and MariaDB Connector/J session set-up,
-- Hibernate, Django, Rails, Laravel), plus statements DBAs type. One per line.
/* mysql-connector-j-8.4.0 (Revision: 1c3f5c149e0bfe31c7fbeb24e2d260cd890972c4) */SELECT @@session.auto_increment_increment AS auto_increment_increment, @@character_set_client AS character_set_client, @@character_set_connection AS character_set_connection, @@character_set_results AS character_set_results, @@character_set_server AS character_set_server, @@collation_server AS collation_server, @@collation_connection AS collation_connection, @@init_connect AS init_connect, @@interactive_timeout AS interactive_timeout, @@license AS license, @@lower_case_table_names AS lower_case_table_names, @@max_allowed_packet AS max_allowed_packet, @@net_write_timeout AS net_write_timeout, @@performance_schema AS performance_schema, @@sql_mode AS sql_mode, @@system_time_zone AS system_time_zone, @@time_zone AS time_zone, @@transaction_isolation AS transaction_isolation, @@wait_timeout AS wait_timeout
SET NAMES utf8mb4
SET character_set_results = NULL
SET autocommit=1
SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED
SELECT @@max_allowed_packet,@@system_time_zone,@@time_zone,@@auto_increment_increment
SHOW VARIABLES LIKE 'aurora\_version'
select u1_0.id,u1_0.email,u1_0.name from `Users` u1_0 where u1_0.id=?
select u1_0.id,u1_0.email from `Users` u1_0 where u1_0.email like ? escape '!' order by u1_0.id limit ?,?
insert into `orders` (`total`,`user_id`) values (?,?)
update `orders` set `total`=?,`user_id`=? where `id`=?
delete from `orders` where `id`=?
SELECT `shop_user`.`id`, `shop_user`.`email` FROM `shop_user` WHERE `shop_user`.`id` = 42 LIMIT 21
INSERT INTO `shop_order` (`user_id`, `total`) VALUES (1, '10.50')
SELECT `users`.* FROM `users` WHERE `users`.`email` = 'a@example.com' LIMIT 1
INSERT INTO `users` (`email`, `created_at`, `updated_at`) VALUES ('b@example.com', '2025-01-01 00:00:00', '2025-01-01 00:00:00')
select * from `users` where `email` = ? and `users`.`deleted_at` is null limit 1
insert into `users` (`email`, `name`, `updated_at`, `created_at`) values (?, ?, ?, ?)
INSERT INTO analyzer_corpus.orders (user_id, total) VALUES (1, 5), (2, 7) ON DUPLICATE KEY UPDATE total = VALUES(total) + 1
INSERT INTO orders (user_id, total) VALUES (3, 1) AS new ON DUPLICATE KEY UPDATE total = new.total
INSERT IGNORE INTO orders (user_id, total) VALUES (4, 2)
REPLACE INTO orders (id, user_id, total) VALUES (9, 1, 1)
SHOW TABLES
SHOW FULL TABLES FROM analyzer_corpus LIKE 'ord%'
SHOW DATABASES
SHOW COLUMNS FROM `Users`
SHOW CREATE TABLE analyzer_corpus.orders
SHOW INDEX FROM orders
SHOW GRANTS FOR CURRENT_USER
SHOW PROCESSLIST
SHOW STATUS LIKE 'Threads%'
DESCRIBE `Users`
EXPLAIN SELECT * FROM orders WHERE user_id = 1
LOAD DATA LOCAL INFILE '/tmp/orders.csv' INTO TABLE orders FIELDS TERMINATED BY ',' ENCLOSED BY '"' LINES TERMINATED BY '\n' IGNORE 1 LINES (user_id, total)
SELECT o.id, u.email FROM analyzer_corpus.orders o JOIN analyzer_corpus.`Users` u ON u.id = o.user_id WHERE o.total > 10 ORDER BY o.id DESC LIMIT 10 OFFSET 20
SELECT table_name, table_rows FROM information_schema.tables WHERE table_schema = DATABASE()
SELECT COUNT(*) AS n, DATE_FORMAT(created_at, '%Y-%m') AS month FROM `Users` GROUP BY month WITH ROLLUP
UPDATE orders o JOIN `Users` u ON u.id = o.user_id SET o.total = o.total * 1.1 WHERE u.email LIKE '%@example.com'
DELETE o FROM orders o JOIN `Users` u ON u.id = o.user_id WHERE u.email = 'gone@example.com'
SELECT GET_LOCK('migration', 10)
SELECT * FROM orders WHERE id = 1 FOR UPDATE
START TRANSACTION
COMMIT
USE analyzer_corpus
CALL touch(1)
SELECT JSON_OBJECT('id', id, 'total', total) FROM orders
