/**
 * SMS through Twilio's Programmable Messaging API: {@link io.whatsappoutbox.sms.TwilioSmsProvider}
 * sends, {@link io.whatsappoutbox.sms.TwilioStatusCallbackHandler} receives the delivery statuses.
 */
package io.whatsappoutbox.sms;
