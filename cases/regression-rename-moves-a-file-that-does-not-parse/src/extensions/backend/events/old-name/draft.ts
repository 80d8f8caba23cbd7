// A draft the team keeps beside the handler; it does not parse yet.
export const greeting = 'hello
