export const greeting = (name: string) => `Welcome, ${name}`;
