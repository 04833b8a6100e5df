/**
 * Compares two strings in time that depends only on their length (node:crypto timingSafeEqual),
 * so comparing a token or code hash leaks nothing through timing. Different lengths: false.
 */
export type SafeEqual = (a: string, b: string) => boolean;
