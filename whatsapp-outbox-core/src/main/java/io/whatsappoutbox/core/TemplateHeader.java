package io.whatsappoutbox.core;

import io.whatsappoutbox.core.MessageContent.MediaKind;
import java.net.URI;

/**
 * The parameter of a template's header: its text variable, its image, video or document (by Meta
 * media id or link), or its location. Build one with the factories, or with
 * {@code Template.headerImage(...)} and its siblings.
 *
 * @param parameterName the header variable's name when the template uses named parameters, or null
 */
public record TemplateHeader(Type type, String parameterName, String text, String mediaId, URI link, String filename,
        Location location) {

    /** Meta's header formats that take a parameter. */
    public enum Type {
        TEXT,
        IMAGE,
        VIDEO,
        DOCUMENT,
        LOCATION
    }

    public static TemplateHeader text(String text) {
        return new TemplateHeader(Type.TEXT, null, text, null, null, null, null);
    }

    /** The text variable of a template with named parameters ({@code {{name}}}). */
    public static TemplateHeader namedText(String parameterName, String text) {
        return new TemplateHeader(Type.TEXT, parameterName, text, null, null, null, null);
    }

    /** An image, video or document header by media id or by link; a document may carry a filename. */
    public static TemplateHeader media(MediaKind kind, String mediaId, URI link, String filename) {
        Type type = switch (kind) {
            case IMAGE -> Type.IMAGE;
            case VIDEO -> Type.VIDEO;
            case DOCUMENT -> Type.DOCUMENT;
            default -> throw new IllegalArgumentException("a template header is an image, a video or a document, not "
                    + kind);
        };
        return new TemplateHeader(type, null, null, mediaId, link, filename, null);
    }

    public static TemplateHeader location(Location location) {
        return new TemplateHeader(Type.LOCATION, null, null, null, null, null, location);
    }

    /** The media kind of an image, video or document header, or null. */
    public MediaKind mediaKind() {
        return switch (type == null ? Type.TEXT : type) {
            case IMAGE -> MediaKind.IMAGE;
            case VIDEO -> MediaKind.VIDEO;
            case DOCUMENT -> MediaKind.DOCUMENT;
            default -> null;
        };
    }

    @Override
    public String toString() {
        return "TemplateHeader[" + type + (mediaId != null ? ", by id" : link != null ? ", by link" : "") + "]";
    }
}
