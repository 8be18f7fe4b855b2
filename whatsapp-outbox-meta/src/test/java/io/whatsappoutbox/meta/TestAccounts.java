package io.whatsappoutbox.meta;

import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.spi.WhatsAppAccount;
import io.whatsappoutbox.core.spi.WhatsAppAccounts;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** In-memory accounts: org-1 and org-2 enabled, org-off disabled. Counts lookups. */
final class TestAccounts implements WhatsAppAccounts {
    static final String TOKEN_1 = "EAAJtoken-org-1-SECRET";
    static final String TOKEN_2 = "EAAJtoken-org-2-SECRET";
    static final WhatsAppAccount ORG_1 = new WhatsAppAccount("org-1", "106540352242922", "102290129340398",
            Secret.of(TOKEN_1), true);
    static final WhatsAppAccount ORG_2 = new WhatsAppAccount("org-2", "206540352242933", "202290129340399",
            Secret.of(TOKEN_2), true);
    static final WhatsAppAccount OFF = new WhatsAppAccount("org-off", "306540352242944", null,
            Secret.of("EAAJtoken-off"), false);

    private final Map<String, WhatsAppAccount> byOrg = new ConcurrentHashMap<>();
    final AtomicInteger lookups = new AtomicInteger();

    TestAccounts(List<WhatsAppAccount> accounts) {
        accounts.forEach(a -> byOrg.put(a.orgId(), a));
    }

    static TestAccounts standard() {
        return new TestAccounts(List.of(ORG_1, ORG_2, OFF));
    }

    @Override
    public Optional<WhatsAppAccount> forOrg(String orgId) {
        lookups.incrementAndGet();
        return Optional.ofNullable(byOrg.get(orgId));
    }

    @Override
    public Optional<WhatsAppAccount> forPhoneNumberId(String phoneNumberId) {
        lookups.incrementAndGet();
        return byOrg.values().stream().filter(a -> a.phoneNumberId().equals(phoneNumberId)).findFirst();
    }

    @Override
    public List<WhatsAppAccount> forBusinessAccountId(String businessAccountId) {
        lookups.incrementAndGet();
        return byOrg.values().stream().filter(a -> businessAccountId.equals(a.businessAccountId()))
                .sorted(java.util.Comparator.comparing(WhatsAppAccount::orgId)).toList();
    }
}
