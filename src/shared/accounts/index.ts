export * from './providers';
export * from './schemas';
export * from './privacy';
