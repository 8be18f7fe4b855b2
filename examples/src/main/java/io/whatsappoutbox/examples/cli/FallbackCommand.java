package io.whatsappoutbox.examples.cli;

import io.whatsappoutbox.core.ContentType;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.FallbackRule;
import io.whatsappoutbox.core.FallbackRules;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.jdbc.ops.BulkOptions;
import io.whatsappoutbox.jdbc.ops.BulkResult;
import io.whatsappoutbox.jdbc.ops.DeadLetterFilter;
import io.whatsappoutbox.jdbc.ops.Operator;
import io.whatsappoutbox.jdbc.ops.Scope;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The runbook's manual channel fallback ("convert critical messages to SMS"), through fallback
 * rules: the templates that may fall back and the SMS text come from the options, and each dead
 * letter gets its SMS once, however often the command runs.
 */
@Command(name = "fallback", description = "Send WhatsApp dead letters of critical templates again as SMS, once each"
        + " (runbook: provider failover, manual workaround: channel fallback).")
final class FallbackCommand extends OpsCommand {
    @ArgGroup(exclusive = true, multiplicity = "1")
    Options.ScopeChoice scope;

    @Mixin
    Options.DeadLetters filter;

    @Option(names = "--template", split = ",", paramLabel = "<name>",
            description = "templates that may fall back (the runbook's critical templates), comma-separated")
    List<String> templates;

    @Option(names = "--content-type", split = ",", paramLabel = "<type>",
            description = "content types that may fall back too, such as LOCATION or INTERACTIVE_LIST, comma-separated")
    List<ContentType> contentTypes;

    @Option(names = "--sms-text", required = true, paramLabel = "<text>",
            description = "the SMS text; {dossierId}, {templateName}, {contentType} and {orgId} are replaced")
    String smsText;

    @Mixin
    Options.Bulk bulk;

    @Mixin
    Options.Change change;

    @Override
    Action prepare() {
        Scope s = scope.scope();
        Operator operator = change.operator(spec.commandLine(), root().env);
        DeadLetterFilter f = filter.filter();
        List<FallbackRule> selected = new ArrayList<>();
        if (templates != null && !templates.isEmpty()) {
            selected.add(FallbackRule.forTemplates(templates.toArray(String[]::new)));
        }
        if (contentTypes != null && !contentTypes.isEmpty()) {
            selected.add(FallbackRule.forContentTypes(contentTypes.get(0),
                    contentTypes.subList(1, contentTypes.size()).toArray(ContentType[]::new)));
        }
        if (selected.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "Missing option: --template or --content-type");
        }
        FallbackRules rules = FallbackRules.of(selected.stream()
                .map(r -> r.onDeadLetter(ErrorCategory.UNDELIVERABLE).smsText(this::render)).toArray(FallbackRule[]::new));
        BulkOptions options = bulk.options(change.dryRun);
        return ops -> {
            if (!change.dryRun && !change.yes) {
                BulkResult preview = ops.fallbackToSms(s, f, rules, options.withDryRun(true), operator);
                if (preview.selected() == 0) {
                    print(preview, () -> MessageCommands.renderBulk(out(), preview, "given an SMS fallback"));
                    return;
                }
                confirm("Create an SMS for " + preview.selected() + " WhatsApp dead letter(s), scope " + s.label() + "?");
            }
            BulkResult r = ops.fallbackToSms(s, f, rules, change.dryRun ? options
                    : options.withProgress(progress("falling back")), operator);
            print(r, () -> MessageCommands.renderBulk(out(), r, "given an SMS fallback"));
        };
    }

    private String render(OutboundMessage m) {
        return smsText.replace("{dossierId}", m.dossierId() == null ? "" : m.dossierId())
                .replace("{templateName}", m.templateName().orElse(""))
                .replace("{contentType}", m.content().type().name())
                .replace("{orgId}", m.orgId());
    }
}
