package io.whatsappoutbox.jdbc;

/**
 * What the enqueue does with a template message its org's registry says Meta would refuse (a
 * template not approved in that language, the wrong parameters). An org never synced is never
 * checked.
 */
public enum TemplateCheck {
    /** Refuses the whole enqueue with an {@link io.whatsappoutbox.core.InvalidInputException} naming the field. */
    STRICT,
    /** Enqueues, logging one warning per problem (template name, language and rule; no personal data). */
    LENIENT,
    /** Checks nothing. */
    OFF
}
