// Key Vault (RBAC authorization) holding the bot's secrets. The web app reads them through
// Key Vault references with its user-assigned identity, which gets Key Vault Secrets User.
// A secret parameter left empty is not written, so a redeploy without it keeps the secret
// already in the vault (or the one set by hand, see deploy/README.md); main.bicep references such
// a secret only when told the vault holds it.

@description('Key Vault name, globally unique, 3-24 characters.')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region.')
param location string

@description('Tags put on every resource.')
param tags object

@description('Purge protection: a deleted vault or secret cannot be purged before its retention ends. Cannot be turned off once on.')
param enablePurgeProtection bool

@description('default creates the vault or updates it; recover brings back a soft-deleted vault of this name, with its secrets (it fails when there is none).')
@allowed([
  'default'
  'recover'
])
param createMode string = 'default'

@description('Principal id of the identity that reads the secrets (the web app\'s user-assigned identity).')
param secretsUserPrincipalId string

@description('Principal id of a user who may set secrets by hand (Key Vault Secrets Officer); empty for none.')
param secretsOfficerPrincipalId string = ''

@description('LOA API consumer secret; empty: not written.')
@secure()
param loaClientSecret string = ''

@description('Client secret of the bot app registration; empty: not written.')
@secure()
param microsoftAppPassword string = ''

@description('PEM private key of the bot certificate; empty: not written.')
@secure()
param certificatePrivateKey string = ''

// Built-in roles.
var secretsUserRoleId = '4633458b-17de-408a-b874-0445c86b69e6'
var secretsOfficerRoleId = 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'

// Secret names allow only letters, digits and dashes, hence LOA-CLIENT-SECRET.
var loaClientSecretName = 'LOA-CLIENT-SECRET'
var microsoftAppPasswordName = 'MicrosoftAppPassword'
var certificatePrivateKeyName = 'CertificatePrivateKey'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    createMode: createMode
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    // The resource provider refuses an explicit false; null leaves purge protection off.
    enablePurgeProtection: enablePurgeProtection ? true : null
    publicNetworkAccess: 'Enabled'
  }
}

resource loaClientSecretValue 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(loaClientSecret)) {
  parent: vault
  name: loaClientSecretName
  properties: {
    value: loaClientSecret
  }
}

resource microsoftAppPasswordValue 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(microsoftAppPassword)) {
  parent: vault
  name: microsoftAppPasswordName
  properties: {
    value: microsoftAppPassword
  }
}

resource certificatePrivateKeyValue 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(certificatePrivateKey)) {
  parent: vault
  name: certificatePrivateKeyName
  properties: {
    value: certificatePrivateKey
    contentType: 'application/x-pem-file'
  }
}

resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, secretsUserPrincipalId, secretsUserRoleId)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', secretsUserRoleId)
    principalId: secretsUserPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource secretsOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(secretsOfficerPrincipalId)) {
  name: guid(vault.id, secretsOfficerPrincipalId, secretsOfficerRoleId)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', secretsOfficerRoleId)
    principalId: secretsOfficerPrincipalId
  }
}

output name string = vault.name
// Versionless URIs: App Service resolves the latest version of each secret. They locate the
// secrets without revealing them, whatever the linter guesses from their names.
#disable-next-line outputs-should-not-contain-secrets
output loaClientSecretUri string = '${vault.properties.vaultUri}secrets/${loaClientSecretName}/'
#disable-next-line outputs-should-not-contain-secrets
output microsoftAppPasswordUri string = '${vault.properties.vaultUri}secrets/${microsoftAppPasswordName}/'
#disable-next-line outputs-should-not-contain-secrets
output certificatePrivateKeyUri string = '${vault.properties.vaultUri}secrets/${certificatePrivateKeyName}/'
