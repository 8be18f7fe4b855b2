-- An org's sending hours: its marketing messages (and its transactional ones when hold_transactional)
-- go only from opens to closes on the listed days, in each recipient's zone. The dispatcher reads
-- the table once per maintenance run; a message outside them waits for the next opening.
CREATE TABLE org_sending_hours (
    org_id             text        PRIMARY KEY,
    opens              time        NOT NULL,
    closes             time        NOT NULL CHECK (closes <> opens),
    -- ISO days of the week, 1 = Monday .. 7 = Sunday
    days               smallint[]  NOT NULL CHECK (cardinality(days) BETWEEN 1 AND 7 AND days <@ '{1,2,3,4,5,6,7}'),
    default_zone       text        NOT NULL,
    hold_transactional boolean     NOT NULL DEFAULT false,
    updated_at         timestamptz NOT NULL,
    updated_by         text        NOT NULL
);

-- The recipient's zone when the host gave one (an IANA zone id); null: taken from the number.
ALTER TABLE outbound_message ADD COLUMN recipient_time_zone text;
