// Azure Bot with the Microsoft Teams channel and the Aadv2 OAuth connection that Teams single
// sign-on exchanges its token through (token exchange URL api://botid-{appId}).

@description('Azure Bot name (globally unique).')
@minLength(2)
@maxLength(64)
param name string

@description('Tags put on every resource.')
param tags object

@description('Display name of the bot.')
param displayName string

@description('Pricing tier: F0 or S1.')
param sku string

@description('Messaging endpoint, https://<web app host>/api/messages.')
param endpoint string

@description('The id the bot authenticates as: the app registration\'s client id, or the managed identity\'s client id with UserAssignedMSI.')
param msaAppId string

@description('SingleTenant or UserAssignedMSI.')
param msaAppType string

@description('Entra tenant of msaAppId.')
param tenantId string

@description('With UserAssignedMSI: resource id of the managed identity.')
param msiResourceId string = ''

@description('Client id of the app registration that exposes api://botid-{id}/access_as_user.')
param ssoAppId string

@description('A client secret of that app registration.')
@secure()
param ssoClientSecret string

@description('OAuth connection name; the bot reads it as SSO_CONNECTION_NAME.')
param connectionName string

// msaAppMSIResourceId is only sent for a managed identity bot.
var botProperties = union({
  displayName: displayName
  endpoint: endpoint
  msaAppId: msaAppId
  msaAppType: msaAppType
  msaAppTenantId: tenantId
}, msaAppType == 'UserAssignedMSI' ? {
  msaAppMSIResourceId: msiResourceId
} : {})

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: name
  location: 'global'
  tags: tags
  kind: 'azurebot'
  sku: {
    name: sku
  }
  properties: botProperties
}

resource teamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: {
      isEnabled: true
      enableCalling: false
      // The terms the portal asks to accept when the channel is added by hand.
      acceptedTerms: true
    }
  }
}

resource ssoConnection 'Microsoft.BotService/botServices/connections@2022-09-15' = {
  parent: bot
  name: connectionName
  location: 'global'
  properties: {
    serviceProviderDisplayName: 'Azure Active Directory v2'
    serviceProviderId: '30dd229c-58e3-4a48-bdfd-91ec48eb906c'
    clientId: ssoAppId
    clientSecret: ssoClientSecret
    // The bot checks that the token it gets back is for api://botid-{appId} with access_as_user.
    scopes: 'openid profile offline_access api://botid-${ssoAppId}/access_as_user'
    parameters: [
      {
        key: 'tenantID'
        value: tenantId
      }
      {
        key: 'tokenExchangeUrl'
        value: 'api://botid-${ssoAppId}'
      }
    ]
  }
}

output name string = bot.name
output connectionName string = ssoConnection.name
