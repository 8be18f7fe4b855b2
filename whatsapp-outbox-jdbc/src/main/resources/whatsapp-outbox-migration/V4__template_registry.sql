-- The template registry: each org's templates as Meta approved them (synced from Meta's template
-- list, kept up to date by the lifecycle webhooks), so a send is checked before Meta refuses it.
CREATE TABLE whatsapp_template (
    org_id           text        NOT NULL,
    name             text        NOT NULL,
    language         text        NOT NULL,
    template_id      text,
    status           text        NOT NULL,
    category         text        NOT NULL,
    parameter_format text        NOT NULL,
    header_format    text,
    header_parameter text,
    body_parameters  text[]      NOT NULL,
    buttons          jsonb       NOT NULL,
    quality          text,
    reason           text,
    updated_at       timestamptz NOT NULL,
    PRIMARY KEY (org_id, name, language)
);

-- When an org's registry was last synced: an org never synced is not checked at enqueue.
CREATE TABLE whatsapp_template_sync (
    org_id         text PRIMARY KEY,
    synced_at      timestamptz NOT NULL,
    template_count integer     NOT NULL
);
