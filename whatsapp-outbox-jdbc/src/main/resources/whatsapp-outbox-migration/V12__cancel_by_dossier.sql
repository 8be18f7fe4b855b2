-- The host's cancel and supersede by dossier find the dossier's QUEUED messages here. Partial on
-- QUEUED rows with a dossier: its size follows the backlog, a message without a dossier costs it
-- nothing, and the claim (QUEUED to SENDING) only leaves a dead entry behind, as with the claim index.
CREATE INDEX outbound_message_queued_dossier ON outbound_message (org_id, dossier_id)
    WHERE status = 'QUEUED' AND dossier_id IS NOT NULL;
