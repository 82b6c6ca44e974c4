/** Sent to brokers in ApiVersions (v3+) so operators can see which clients connect. Kept equal to package.json's version by a test. */
export const CLIENT_SOFTWARE_NAME = 'tributary-client'
export const CLIENT_SOFTWARE_VERSION = '0.1.0'
