-- Shoplazza source tables for Relevance Workbench (seed §1.1 / §3.1).
-- Generated from engine/catalog/schema.ts: `node bin/rwb.mjs db schema --print > db/shoplazza.sql`.
-- Apply with `rwb db schema --database <db>` (creates the database too) or run inside a chosen database.

CREATE TABLE IF NOT EXISTS `shoplazza_product_spu` (
  tenant_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  handle VARCHAR(1024) NULL,
  title TEXT NULL COMMENT 'Chinese title (seed §3.2: title -> title_zh)',
  title_en TEXT NULL,
  brief TEXT NULL,
  brief_en TEXT NULL,
  description MEDIUMTEXT NULL,
  description_en MEDIUMTEXT NULL,
  vendor VARCHAR(512) NULL,
  vendor_en VARCHAR(512) NULL,
  category_id VARCHAR(64) NULL,
  category_path VARCHAR(1024) NULL COMMENT 'slash-separated, e.g. 电子产品/音频设备/耳机',
  category_path_en VARCHAR(1024) NULL,
  category_name VARCHAR(255) NULL,
  category_name_en VARCHAR(255) NULL,
  category_level INT NULL,
  tags TEXT NULL COMMENT 'comma-separated',
  image_src VARCHAR(2048) NULL,
  specs_json MEDIUMTEXT NULL COMMENT 'JSON text: [{"name": "...", "value": "..."}]',
  published TINYINT(1) NOT NULL DEFAULT 1,
  deleted TINYINT(1) NOT NULL DEFAULT 0,
  create_time DATETIME NULL,
  update_time DATETIME NULL,
  PRIMARY KEY (tenant_id, id),
  KEY idx_spu_tenant_update (tenant_id, update_time)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS `shoplazza_product_sku` (
  tenant_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  spu_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  title VARCHAR(1024) NULL,
  sku VARCHAR(255) NULL COMMENT 'merchant SKU code',
  price DECIMAL(12,2) NULL,
  compare_at_price DECIMAL(12,2) NULL,
  inventory_quantity INT NULL,
  weight DECIMAL(12,3) NULL,
  weight_unit VARCHAR(16) NULL,
  option1 VARCHAR(255) NULL,
  option2 VARCHAR(255) NULL,
  option3 VARCHAR(255) NULL,
  image_src VARCHAR(2048) NULL,
  create_time DATETIME NULL,
  update_time DATETIME NULL,
  PRIMARY KEY (tenant_id, id),
  KEY idx_sku_tenant_spu (tenant_id, spu_id),
  KEY idx_sku_tenant_update (tenant_id, update_time)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS `shoplazza_product_option` (
  tenant_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  spu_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  position TINYINT NOT NULL COMMENT 'option slot 1..3, matches shoplazza_product_sku.option1..3',
  name VARCHAR(255) NOT NULL,
  name_en VARCHAR(255) NULL,
  values_json TEXT NULL COMMENT 'JSON text: ["black", "white"]',
  PRIMARY KEY (tenant_id, id),
  KEY idx_option_tenant_spu (tenant_id, spu_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
