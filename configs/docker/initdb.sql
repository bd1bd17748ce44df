-- The test database used by `make test` (TEST_DATABASE_URL).
CREATE DATABASE test;
