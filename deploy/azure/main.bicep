// The LOA bot on Azure: a Linux App Service web app on Node 22 LTS with a user-assigned identity,
// the Azure Bot (Teams channel, SSO OAuth connection), Key Vault for the secrets, blob storage for
// bot state, and workspace-based Application Insights.
// deploy/README.md has the steps around it: app registration, this deployment, code, Teams package.

targetScope = 'resourceGroup'

@description('Prefix of the resource names.')
@minLength(3)
@maxLength(16)
param namePrefix string = 'loa-bot'

@description('Azure region of the regional resources; the Azure Bot itself is global.')
param location string = resourceGroup().location

@description('Tags put on every resource.')
param tags object = {}

@description('Web app name, globally unique. Its host name, <name>.azurewebsites.net, becomes BOT_DOMAIN.')
@minLength(2)
@maxLength(60)
param webAppName string = '${namePrefix}-${uniqueString(resourceGroup().id)}'

@description('App Service plan SKU. Basic or higher, for Always On and health checks.')
@allowed([
  'B1'
  'B2'
  'B3'
  'S1'
  'S2'
  'S3'
  'P0v3'
  'P1v3'
  'P2v3'
])
param appServicePlanSku string = 'B1'

@description('Number of App Service instances. State is shared through blob storage and each Send is claimed once, so more can run; each also polls LOA statuses.')
@minValue(1)
@maxValue(30)
param instanceCount int = 1

@description('How the bot proves itself to Bot Framework: secret (SingleTenant, the app registration\'s client secret), certificate (SingleTenant, a certificate of the app registration) or msi (UserAssignedMSI, the web app\'s identity; Teams SSO does not work with it yet, see deploy/README.md).')
@allowed([
  'secret'
  'certificate'
  'msi'
])
param botCredential string = 'secret'

@description('Client id of the Entra app registration for the bot and its single sign-on (api://botid-{appId}). The bot\'s MicrosoftAppId unless botCredential is msi.')
@minLength(36)
@maxLength(36)
param appId string

@description('A client secret of that app registration. The SSO OAuth connection always uses it; it is also stored in Key Vault as MicrosoftAppPassword with botCredential secret. With certificate, the on-behalf-of exchange uses the certificate instead.')
@secure()
@minLength(1)
param appClientSecret string

@description('Entra tenant of the app registration and the bot (MicrosoftAppTenantId).')
param appTenantId string = tenant().tenantId

@description('With botCredential certificate: SHA-1 thumbprint (hex) of the certificate added to the app registration (CertificateThumbprint).')
param certificateThumbprint string = ''

@description('With botCredential certificate: its PEM private key, stored in Key Vault as CertificatePrivateKey. Empty: not written; then CertificatePrivateKey is referenced only with certificatePrivateKeyInVault.')
@secure()
param certificatePrivateKey string = ''

@description('With botCredential certificate and certificatePrivateKey empty: the vault already holds CertificatePrivateKey (an earlier deployment, or set by hand), so the app setting references it.')
param certificatePrivateKeyInVault bool = false

@description('Azure Bot name, globally unique.')
@minLength(2)
@maxLength(64)
param botName string = '${namePrefix}-${uniqueString(resourceGroup().id)}'

@description('Display name of the Azure Bot.')
param botDisplayName string = 'LOA'

@description('Azure Bot pricing tier.')
@allowed([
  'F0'
  'S1'
])
param botSku string = 'F0'

@description('Name of the Azure Bot OAuth connection for Teams single sign-on (SSO_CONNECTION_NAME).')
param ssoConnectionName string = 'teams-sso'

@description('Authority of SSO tokens and their signing keys (SSO_AUTHORITY).')
param ssoAuthority string = 'https://login.microsoftonline.com'

@description('Comma-separated Entra tenant ids whose reps may use the bot (SSO_ALLOWED_TENANTS).')
param ssoAllowedTenants string = tenant().tenantId

@description('Base URL of the LOA API (LOA_API_BASE_URL).')
param loaApiBaseUrl string = 'https://api.exchange.se.com/ecostruxure'

@description('LOA API consumer key (LOA_CLIENT_ID).')
@minLength(1)
param loaClientId string

@description('LOA API consumer secret, stored in Key Vault as LOA-CLIENT-SECRET. Empty: not written; then LOA_CLIENT_SECRET is referenced only with loaClientSecretInVault.')
@secure()
param loaClientSecret string = ''

@description('With loaClientSecret empty: the vault already holds LOA-CLIENT-SECRET (an earlier deployment, or set by hand), so the app setting references it. Without either, LOA_CLIENT_SECRET is empty and the bot refuses to start, saying so.')
param loaClientSecretInVault bool = false

@description('How the bot gets LOA tokens (LOA_AUTH_MODE).')
@allowed([
  'impersonate'
  'id_token'
])
param loaAuthMode string = 'impersonate'

@description('With LOA_AUTH_MODE impersonate: the rep\'s sign-in name (upn) or their mailbox address from Microsoft Graph (mail), which needs the delegated Graph permission User.Read (LOA_IMPERSONATE_AS).')
@allowed([
  'upn'
  'mail'
])
param loaImpersonateAs string = 'upn'

@description('With LOA_AUTH_MODE id_token: scope of the Entra access token obtained on the rep\'s behalf and sent to /v1/oauth/token, e.g. api://loa-bridge/.default (LOA_OBO_SCOPE); required.')
param loaOboScope string = ''

@description('Timeout of one LOA API call in ms (LOA_HTTP_TIMEOUT_MS).')
@minValue(100)
@maxValue(120000)
param loaHttpTimeoutMs int = 10000

@description('Retries of an LOA API call that is safe to retry (LOA_MAX_RETRIES).')
@minValue(0)
@maxValue(10)
param loaMaxRetries int = 3

@description('Seconds a rep\'s resolved identity is reused before Teams is asked again; 0 asks on every turn (REP_IDENTITY_CACHE_S).')
@minValue(0)
@maxValue(3600)
param repIdentityCacheS int = 300

@description('How long Send waits for the API before answering "Sending...", in ms (SEND_ACK_AFTER_MS).')
@minValue(200)
@maxValue(10000)
param sendAckAfterMs int = 800

@description('Delay before the first status poll of a new agreement in ms; 0 turns polling off (STATUS_POLL_FIRST_MS).')
@minValue(0)
@maxValue(86400000)
param statusPollFirstMs int = 60000

@description('Longest gap between two status polls of one agreement in ms (STATUS_POLL_MAX_INTERVAL_MS).')
@minValue(100)
@maxValue(604800000)
param statusPollMaxIntervalMs int = 3600000

@description('Hours after creation when status polling of an agreement stops (STATUS_POLL_STOP_AFTER_H).')
@minValue(1)
@maxValue(8760)
param statusPollStopAfterH int = 720

@description('Requests to /api/messages handled at once by one instance; more are answered 503 with Retry-After (HTTP_MAX_IN_FLIGHT).')
@minValue(1)
@maxValue(10000)
param httpMaxInFlight int = 200

@description('Time a client has to send its request headers, in ms (HTTP_HEADERS_TIMEOUT_MS).')
@minValue(1000)
@maxValue(60000)
param httpHeadersTimeoutMs int = 10000

@description('Time a client has to send its request body once the headers are in, in ms (HTTP_BODY_TIMEOUT_MS).')
@minValue(1000)
@maxValue(60000)
param httpBodyTimeoutMs int = 10000

@description('pino log level (LOG_LEVEL).')
@allowed([
  'fatal'
  'error'
  'warn'
  'info'
  'debug'
  'trace'
  'silent'
])
param logLevel string = 'info'

@description('Key Vault name, globally unique, 3-24 characters.')
@minLength(3)
@maxLength(24)
param keyVaultName string = 'kv-${uniqueString(resourceGroup().id)}'

@description('Key Vault purge protection. Cannot be turned off once on.')
param enablePurgeProtection bool = true

@description('recover: bring back the soft-deleted vault keyVaultName (with its secrets) instead of creating it, e.g. after the resource group was deleted and created again. Deploy once with it, then go back to default.')
@allowed([
  'default'
  'recover'
])
param keyVaultCreateMode string = 'default'

@description('Object id of the person deploying, to get Key Vault Secrets Officer and set secrets by hand (az ad signed-in-user show --query id -o tsv). Empty: no such role.')
param deployerPrincipalId string = ''

@description('Storage account name for bot state, globally unique, 3-24 lowercase letters and digits.')
@minLength(3)
@maxLength(24)
param storageAccountName string = 'st${uniqueString(resourceGroup().id)}'

@description('Blob container for bot state (STATE_BLOB_CONTAINER).')
@minLength(3)
@maxLength(63)
param stateContainerName string = 'botstate'

@description('Turn on App Service\'s codeless Application Insights agent for Node.js (ApplicationInsightsAgent_EXTENSION_VERSION ~3).')
param enableAppInsightsAgent bool = true

@description('Days Log Analytics keeps the logs.')
@minValue(30)
@maxValue(730)
param logRetentionDays int = 30

var usesMsi = botCredential == 'msi'
var usesCertificate = botCredential == 'certificate'
// The on-behalf-of exchange (id_token, or impersonating the mailbox address) proves the app with
// the certificate when there is one, so only the secret credential needs the password;
// botbuilder refuses a password next to a managed identity.
var usesPassword = botCredential == 'secret'
var microsoftAppId = usesMsi ? identity.properties.clientId : appId
// A Key Vault reference to a secret that is not in the vault reaches the app as the literal
// @Microsoft.KeyVault(...) text, so a secret is referenced only when this deployment writes it or
// the vault is said to hold it already; otherwise the setting is empty and the bot says which key
// is missing. MicrosoftAppPassword is always written with usesPassword (appClientSecret is required).
var loaClientSecretStored = !empty(loaClientSecret) || loaClientSecretInVault
var certificatePrivateKeyStored = usesCertificate && (!empty(certificatePrivateKey) || certificatePrivateKeyInVault)
// The site's own defaultHostName cannot be read inside its definition; this is its value for a
// web app without a generated unique host name.
var webAppHostName = '${webAppName}.azurewebsites.net'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${namePrefix}-id'
  location: location
  tags: tags
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    namePrefix: namePrefix
    location: location
    tags: tags
    retentionInDays: logRetentionDays
  }
}

module keyVault 'modules/keyVault.bicep' = {
  name: 'keyVault'
  params: {
    name: keyVaultName
    location: location
    tags: tags
    enablePurgeProtection: enablePurgeProtection
    createMode: keyVaultCreateMode
    secretsUserPrincipalId: identity.properties.principalId
    secretsOfficerPrincipalId: deployerPrincipalId
    loaClientSecret: loaClientSecret
    microsoftAppPassword: usesPassword ? appClientSecret : ''
    certificatePrivateKey: usesCertificate ? certificatePrivateKey : ''
  }
}

module stateStorage 'modules/stateStorage.bicep' = {
  name: 'stateStorage'
  params: {
    name: storageAccountName
    location: location
    tags: tags
    containerName: stateContainerName
    blobDataContributorPrincipalId: identity.properties.principalId
  }
}

// Every key the bot reads (CONFIG_KEYS in bot/config/) except PORT, which App Service sets in its
// Node container, HOST, whose production default (0.0.0.0) is what App Service needs, and the
// LOA_SANDBOX_* keys, which only `npm run sandbox` reads.
// test/deploy/azure/configKeys.test.ts keeps this list and CONFIG_KEYS in step.
var appSettings = [
  {
    name: 'NODE_ENV'
    value: 'production'
  }
  {
    name: 'LOG_LEVEL'
    value: logLevel
  }
  {
    name: 'HTTP_MAX_IN_FLIGHT'
    value: string(httpMaxInFlight)
  }
  {
    name: 'HTTP_HEADERS_TIMEOUT_MS'
    value: string(httpHeadersTimeoutMs)
  }
  {
    name: 'HTTP_BODY_TIMEOUT_MS'
    value: string(httpBodyTimeoutMs)
  }
  {
    name: 'MicrosoftAppId'
    value: microsoftAppId
  }
  {
    name: 'MicrosoftAppType'
    value: usesMsi ? 'UserAssignedMSI' : 'SingleTenant'
  }
  {
    name: 'MicrosoftAppTenantId'
    value: appTenantId
  }
  {
    name: 'MicrosoftAppPassword'
    value: usesPassword ? '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.microsoftAppPasswordUri})' : ''
  }
  {
    name: 'CertificateThumbprint'
    value: usesCertificate ? certificateThumbprint : ''
  }
  {
    name: 'CertificatePrivateKey'
    value: certificatePrivateKeyStored ? '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.certificatePrivateKeyUri})' : ''
  }
  {
    name: 'REP_IDENTITY'
    value: 'sso'
  }
  {
    name: 'SSO_CONNECTION_NAME'
    value: ssoConnectionName
  }
  {
    name: 'SSO_AUTHORITY'
    value: ssoAuthority
  }
  {
    name: 'SSO_ALLOWED_TENANTS'
    value: ssoAllowedTenants
  }
  {
    name: 'LOA_API_BASE_URL'
    value: loaApiBaseUrl
  }
  {
    name: 'LOA_CLIENT_ID'
    value: loaClientId
  }
  {
    name: 'LOA_CLIENT_SECRET'
    value: loaClientSecretStored ? '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.loaClientSecretUri})' : ''
  }
  {
    name: 'LOA_AUTH_MODE'
    value: loaAuthMode
  }
  {
    name: 'LOA_IMPERSONATE_AS'
    value: loaImpersonateAs
  }
  {
    name: 'LOA_OBO_SCOPE'
    value: loaOboScope
  }
  {
    name: 'LOA_HTTP_TIMEOUT_MS'
    value: string(loaHttpTimeoutMs)
  }
  {
    name: 'LOA_MAX_RETRIES'
    value: string(loaMaxRetries)
  }
  {
    // Empty: the catalog bundled with the build.
    name: 'LOA_TEMPLATES_FILE'
    value: ''
  }
  {
    name: 'REP_IDENTITY_CACHE_S'
    value: string(repIdentityCacheS)
  }
  {
    name: 'SEND_ACK_AFTER_MS'
    value: string(sendAckAfterMs)
  }
  {
    name: 'STATUS_POLL_FIRST_MS'
    value: string(statusPollFirstMs)
  }
  {
    name: 'STATUS_POLL_MAX_INTERVAL_MS'
    value: string(statusPollMaxIntervalMs)
  }
  {
    name: 'STATUS_POLL_STOP_AFTER_H'
    value: string(statusPollStopAfterH)
  }
  {
    name: 'BOT_DOMAIN'
    value: webAppHostName
  }
  {
    // Durable state shared by every instance: blob storage reached with the managed identity.
    name: 'STATE_STORAGE'
    value: 'blob'
  }
  {
    // Empty: the account is reached with the managed identity (STATE_BLOB_ACCOUNT_URL), not a key.
    name: 'STATE_BLOB_CONNECTION_STRING'
    value: ''
  }
  {
    // Cosmos DB is the other durable choice; unused with STATE_STORAGE=blob.
    name: 'STATE_COSMOS_ENDPOINT'
    value: ''
  }
  {
    name: 'STATE_COSMOS_KEY'
    value: ''
  }
  {
    name: 'STATE_COSMOS_DATABASE'
    value: ''
  }
  {
    name: 'STATE_COSMOS_CONTAINER'
    value: ''
  }
  {
    name: 'STATE_BLOB_ACCOUNT_URL'
    value: stateStorage.outputs.blobEndpoint
  }
  {
    name: 'STATE_BLOB_CONTAINER'
    value: stateStorage.outputs.containerName
  }
  {
    // The user-assigned identity the bot uses for the state storage.
    name: 'AZURE_CLIENT_ID'
    value: identity.properties.clientId
  }
  {
    name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
    value: monitoring.outputs.connectionString
  }
  {
    // Oryx builds the zip on deploy. Its default `npm install` would skip devDependencies under
    // NODE_ENV=production, and the build needs typescript; the runtime needs only dependencies.
    name: 'SCM_DO_BUILD_DURING_DEPLOYMENT'
    value: 'true'
  }
  {
    name: 'CUSTOM_BUILD_COMMAND'
    value: 'npm ci --include=dev && npm run build && npm prune --omit=dev'
  }
]

var appInsightsAgentSettings = enableAppInsightsAgent ? [
  {
    name: 'ApplicationInsightsAgent_EXTENSION_VERSION'
    value: '~3'
  }
] : []

module webApp 'modules/webApp.bicep' = {
  name: 'webApp'
  params: {
    name: webAppName
    location: location
    tags: tags
    planSku: appServicePlanSku
    instanceCount: instanceCount
    identityId: identity.id
    appSettings: concat(appSettings, appInsightsAgentSettings)
    workspaceId: monitoring.outputs.workspaceId
  }
}

var botEndpoint = 'https://${webApp.outputs.defaultHostName}/api/messages'

module bot 'modules/bot.bicep' = {
  name: 'bot'
  params: {
    name: botName
    tags: tags
    displayName: botDisplayName
    sku: botSku
    endpoint: botEndpoint
    msaAppId: microsoftAppId
    msaAppType: usesMsi ? 'UserAssignedMSI' : 'SingleTenant'
    tenantId: appTenantId
    msiResourceId: identity.id
    ssoAppId: appId
    ssoClientSecret: appClientSecret
    connectionName: ssoConnectionName
  }
}

@description('Web app name, for az webapp deploy and az webapp log tail.')
output webAppName string = webApp.outputs.name

@description('Web app host name: BOT_DOMAIN for npm run package.')
output webAppHostName string = webApp.outputs.defaultHostName

@description('Messaging endpoint of the Azure Bot.')
output botEndpoint string = botEndpoint

@description('Azure Bot name.')
output botName string = bot.outputs.name

@description('The id the bot runs as: MicrosoftAppId for npm run package.')
output microsoftAppId string = microsoftAppId

@description('Key Vault holding LOA-CLIENT-SECRET, MicrosoftAppPassword and CertificatePrivateKey.')
output keyVaultName string = keyVault.outputs.name

@description('Storage account for bot state.')
output storageAccountName string = stateStorage.outputs.name

@description('Client id of the web app\'s user-assigned identity.')
output managedIdentityClientId string = identity.properties.clientId

@description('Application Insights resource name.')
output appInsightsName string = monitoring.outputs.appInsightsName
