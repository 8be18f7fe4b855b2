/**
 * The provider SPI: what a provider author implements ({@code MessageProvider}, its
 * {@code SendResult}) and the look-ups a provider or webhook handler is given (an org's WhatsApp
 * account, the webhook secrets valid now).
 */
package io.whatsappoutbox.core.spi;
