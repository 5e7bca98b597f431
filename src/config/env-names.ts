/** Environment variables and the setting each one feeds (a dotted setting is nested: `sms.token`). */
export const settingEnvNames: Readonly<Record<string, string>> = {
  NODE_ENV: 'nodeEnv',
  HOST: 'host',
  PORT: 'port',
  GATEHOUSE_DATA_DIR: 'dataDir',
  DATABASE_URL: 'databaseUrl',
  REDIS_URL: 'redisUrl',
  REDIS_PREFIX: 'redisPrefix',
  GATEHOUSE_SECRET_KEY: 'secretKey',
  GATEHOUSE_PUBLIC_URL: 'publicUrl',
  GATEHOUSE_TRUSTED_ORIGINS: 'trustedOrigins',
  LOG_LEVEL: 'logLevel',
  GATEHOUSE_TRUST_PROXY: 'trustProxy',
  SMTP_URL: 'smtpUrl',
  MAIL_FROM: 'mailFrom',
  GATEHOUSE_MAIL_TEMPLATES_DIR: 'mail.templatesDir',
  GATEHOUSE_PRODUCT_NAME: 'branding.productName',
  GATEHOUSE_LOGO_URL: 'branding.logoUrl',
  GATEHOUSE_ACCENT_COLOR: 'branding.accentColor',
  GATEHOUSE_REQUIRE_VERIFIED_EMAIL: 'requireVerifiedEmail',
  GATEHOUSE_ALLOW_INSECURE_BASIC_OVER_HTTP: 'allowInsecureBasicOverHttp',
  GATEHOUSE_POLICY: 'policyFile',
  GATEHOUSE_SMS_ENABLED: 'sms.enabled',
  SMS_URL: 'sms.url',
  SMS_TOKEN: 'sms.token',
  SMS_FROM: 'sms.from',
  GATEHOUSE_PAGES: 'pages.enabled',
  GATEHOUSE_DOCS: 'docs.enabled',
  GATEHOUSE_PROVIDER: 'provider.enabled',
  GATEHOUSE_RSA_SIGNING_KEY: 'tokens.rsaSigningKey',
  GATEHOUSE_METRICS_TOKEN: 'metrics.token',
  GATEHOUSE_METRICS_PORT: 'metrics.port',
  GATEHOUSE_METRICS_HOST: 'metrics.host',
  GATEHOUSE_SESSION_CACHE_SIZE: 'session.cacheSize',
  GATEHOUSE_SESSION_TOUCH_INTERVAL_SECONDS: 'session.touchIntervalSeconds',
  GATEHOUSE_AUDIT_RETENTION_DAYS: 'audit.retentionDays',
  GATEHOUSE_AUDIT_EXPORT_DIR: 'audit.exportDirectory',
};

/** The environment variable that feeds `setting`, if there is one. */
export const envNameOf = (setting: string): string | undefined =>
  Object.entries(settingEnvNames).find(([, key]) => key === setting)?.[0];

/**
 * Settings whose values are never echoed in an error: keys, tokens, and URLs
 * that may carry a password.
 */
export const SECRET_SETTINGS: ReadonlySet<string> = new Set([
  'secretKey',
  'databaseUrl',
  'redisUrl',
  'smtpUrl',
  'sms.token',
  'metrics.token',
]);
