-- whatsapp-outbox schema, version 3.
-- Every message type Meta's Cloud API sends: the content types the table accepts grow from five
-- to thirteen. The payload of a type is JSON in payload_json as before; the five existing types
-- keep their stored shape. The new check is added NOT VALID, so adding it takes no scan under the
-- table's exclusive lock, then validated: every existing row passed the narrower V1 check.
ALTER TABLE outbound_message
    DROP CONSTRAINT outbound_message_content_type_known,
    ADD CONSTRAINT outbound_message_content_type_known CHECK (content_type IN ('TEXT', 'TEMPLATE', 'IMAGE',
        'DOCUMENT', 'INTERACTIVE_BUTTONS', 'VIDEO', 'AUDIO', 'STICKER', 'LOCATION', 'CONTACTS', 'REACTION',
        'INTERACTIVE_LIST', 'INTERACTIVE_CTA_URL')) NOT VALID;
ALTER TABLE outbound_message VALIDATE CONSTRAINT outbound_message_content_type_known;
