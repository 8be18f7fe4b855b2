package io.whatsappoutbox.jdbc.ops;

/**
 * An export or archive that did not complete. Nothing was deleted and no file was left behind
 * (a partial file is removed).
 */
public class ArchiveFailedException extends RuntimeException {
    public ArchiveFailedException(String message, Throwable cause) {
        super(message, cause);
    }

    public ArchiveFailedException(String message) {
        super(message);
    }
}
