/** Internal to the SMS module: may change at any time, not for hosts. */
package io.whatsappoutbox.sms.internal;
