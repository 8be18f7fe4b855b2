-- a host's own first migration, in Flyway's default location: it must not collide with the outbox's V1
CREATE TABLE host_booking (id bigserial PRIMARY KEY, phone text NOT NULL);
