// a test left behind by a branch switch
export {};
