// The CLI's entry. First the invocation store the local functions run in, before anything loads Powertools:
// imported in turn, as static imports would not be once the build splits them into chunks.
await import('../infra/local/invoke-store');
await import('./main');

export {};
