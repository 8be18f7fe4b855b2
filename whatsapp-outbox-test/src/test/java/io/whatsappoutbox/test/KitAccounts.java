package io.whatsappoutbox.test;

import io.whatsappoutbox.core.spi.WhatsAppAccount;
import io.whatsappoutbox.core.spi.WhatsAppAccounts;
import java.util.Optional;

/** One org on the Meta stub's phone number id, for tests that need no database. */
final class KitAccounts implements WhatsAppAccounts {
    static final String ORG = "org-1";
    private final WhatsAppAccount account = new WhatsAppAccount(ORG, MetaStub.PHONE_NUMBER_ID,
            MetaStub.BUSINESS_ACCOUNT_ID, MetaStub.ACCESS_TOKEN, true);

    @Override
    public Optional<WhatsAppAccount> forOrg(String orgId) {
        return ORG.equals(orgId) ? Optional.of(account) : Optional.empty();
    }

    @Override
    public Optional<WhatsAppAccount> forPhoneNumberId(String phoneNumberId) {
        return account.phoneNumberId().equals(phoneNumberId) ? Optional.of(account) : Optional.empty();
    }
}
