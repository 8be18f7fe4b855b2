-- Priority inside an org's lane: 0 HIGH, 1 NORMAL, 2 LOW. The claim takes HIGH and LOW messages
-- through partial indexes of their own, so a lane of NORMAL messages is read as before.
ALTER TABLE outbound_message ADD COLUMN priority smallint NOT NULL DEFAULT 1 CHECK (priority BETWEEN 0 AND 2);
CREATE INDEX outbound_message_claim_high ON outbound_message (org_id, channel, next_attempt_at, id)
    WHERE status = 'QUEUED' AND priority = 0;
CREATE INDEX outbound_message_claim_low ON outbound_message (org_id, channel, next_attempt_at, id)
    WHERE status = 'QUEUED' AND priority = 2;

-- Conversation order: a message with a key waits while an earlier message (lower id) of its org and
-- key is queued or being sent. The index holds only those, so the check is one probe.
ALTER TABLE outbound_message ADD COLUMN ordering_key text;
CREATE INDEX outbound_message_unsettled_key ON outbound_message (org_id, ordering_key, id)
    WHERE ordering_key IS NOT NULL AND status IN ('QUEUED', 'SENDING');
