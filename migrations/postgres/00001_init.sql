-- +goose Up
CREATE TABLE kv_test_placeholder (k TEXT PRIMARY KEY, v TEXT NOT NULL);
