package io.whatsappoutbox.examples.cli;

import io.whatsappoutbox.core.TemplateDefinition;
import io.whatsappoutbox.core.internal.Violations;
import io.whatsappoutbox.examples.demo.TemplateViews;
import io.whatsappoutbox.jdbc.TemplateRegistry;
import io.whatsappoutbox.meta.MetaCloudProvider;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The template registry: sync an org's templates from Meta, list what the enqueue checks against. */
@Command(name = "templates", description = "Template registry: sync an org's templates from Meta, list them.",
        subcommands = {TemplateCommands.Sync.class, TemplateCommands.ListTemplates.class})
final class TemplateCommands {

    abstract static class Base implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--org", required = true, paramLabel = "<org>")
        String org;

        OutboxCli root() {
            return (OutboxCli) spec.root().userObject();
        }

        PrintWriter out() {
            return root().env.out();
        }

        void checkOrg() {
            Violations v = new Violations();
            v.orgId("org", org);
            v.throwIfAny("templates");
        }
    }

    @Command(name = "sync", description = "Replace the org's templates with Meta's list for its business account"
            + " (needs the encryption key: the org's token). A failed list changes nothing.")
    static final class Sync extends Base {
        @Option(names = "--meta-base-url", paramLabel = "<url>",
                description = "Graph API base URL (default: $OUTBOX_META_BASE_URL, else https://graph.facebook.com)")
        String metaBaseUrl;

        @Override
        public Integer call() {
            checkOrg();
            String base = metaBaseUrl != null ? metaBaseUrl
                    : Optional.ofNullable(root().env.variable("OUTBOX_META_BASE_URL")).orElse("https://graph.facebook.com");
            try (CliSession session = CliSession.open(root().settings(spec.commandLine(), true));
                    MetaCloudProvider meta = MetaCloudProvider.builder().accounts(session.outbox().providerConfigs())
                            .baseUrl(base).build()) {
                TemplateRegistry.SyncReport r = session.outbox().templates().sync(org, meta.templateSource());
                if (root().json) {
                    out().println(Json.write(TemplateViews.sync(r)));
                } else {
                    out().printf("Templates of %s synced at %s: %d (%d before)%n", r.orgId(), r.syncedAt(), r.templates(),
                            r.previous());
                }
            }
            out().flush();
            return CliExit.OK;
        }
    }

    @Command(name = "list", description = "The org's templates as the registry holds them.")
    static final class ListTemplates extends Base {
        @Override
        public Integer call() {
            checkOrg();
            try (CliSession session = CliSession.open(root().settings(spec.commandLine(), false))) {
                TemplateRegistry registry = session.outbox().templates();
                List<TemplateDefinition> all = registry.list(org);
                Optional<java.time.Instant> synced = registry.lastSync(org);
                if (root().json) {
                    out().println(Json.write(TemplateViews.list(org, synced, all)));
                } else {
                    out().println("Templates of " + org + ", last synced " + synced.map(Object::toString)
                            .orElse("never (template messages are not checked)"));
                    Table t = new Table("NAME", "LANGUAGE", "STATUS", "CATEGORY", "HEADER", "BODY", "BUTTONS", "QUALITY",
                            "REASON");
                    all.forEach(d -> t.row(d.name(), d.language(), d.status(), d.category(),
                            d.header() == null ? null : d.header().format(), d.bodyParameters().size(),
                            d.buttons().stream().map(b -> b.type() + (b.takesParameter() ? "*" : "")).toList(),
                            d.quality(), d.reason()));
                    t.print(out());
                }
            }
            out().flush();
            return CliExit.OK;
        }
    }
}
