-- What Meta's lifecycle webhooks hold back: paused and disabled templates, restricted accounts and
-- the quality of their numbers. Small tables: the dispatcher reads them once per maintenance run.

-- A template Meta paused (held_until: the pause's end) or disabled, rejected or deleted
-- (held_until NULL: never sent again). Deleted when Meta approves the template again.
CREATE TABLE whatsapp_template_hold (
    org_id      text        NOT NULL,
    name        text        NOT NULL,
    language    text        NOT NULL,
    status      text        NOT NULL,
    held_until  timestamptz,
    reason      text        NOT NULL,
    updated_at  timestamptz NOT NULL,
    PRIMARY KEY (org_id, name, language),
    CONSTRAINT whatsapp_template_hold_status CHECK (status IN ('PAUSED', 'DISABLED')),
    CONSTRAINT whatsapp_template_hold_paused_ends CHECK ((status = 'PAUSED') = (held_until IS NOT NULL))
);

-- A WhatsApp Business account's standing (account_update): restrictions and bans.
CREATE TABLE whatsapp_account_state (
    business_account_id text PRIMARY KEY,
    last_event          text        NOT NULL,
    restrictions        text[]      NOT NULL DEFAULT '{}',
    restricted_until    timestamptz,
    ban_state           text,
    updated_at          timestamptz NOT NULL
);

-- A sending number's quality and the portfolio's messaging limit (phone_number_quality_update).
-- Meta names the number by its display number, digits only.
CREATE TABLE whatsapp_number_state (
    business_account_id  text NOT NULL,
    display_phone_number text NOT NULL,
    last_event           text,
    quality_rating       text,
    messaging_limit      text,
    updated_at           timestamptz NOT NULL,
    PRIMARY KEY (business_account_id, display_phone_number)
);
