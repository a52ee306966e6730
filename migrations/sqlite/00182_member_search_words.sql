-- +goose Up
-- Any-word name search: from each word of a name on, the rest of its full
-- pinyin and initials, each after a space (" bobwangwangbo bwwb … wangbo wb"),
-- so "wangbo" finds "Bob Wang 王博". Derived data like the rest of the
-- index; rows written before this column are filled at the next start.
ALTER TABLE member_search ADD COLUMN name_keys TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE member_search DROP COLUMN name_keys;
