// Linux App Service plan and the web app that runs the bot on Node 22 LTS, with its
// user-assigned identity, file-system logs for `az webapp log tail`, and stdout forwarded to
// Log Analytics.

@description('Web app name, globally unique; the plan is named after it.')
@minLength(2)
@maxLength(60)
param name string

@description('Azure region.')
param location string

@description('Tags put on every resource.')
param tags object

@description('App Service plan SKU (Basic or higher).')
param planSku string

@description('Resource id of the user-assigned identity attached to the web app.')
param identityId string

@description('App settings, as name/value pairs.')
param appSettings array

@description('Log Analytics workspace that receives the console, HTTP and platform logs.')
param workspaceId string

@description('Number of App Service instances; state is shared through blob storage.')
@minValue(1)
@maxValue(30)
param instanceCount int

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  // A plan name has at most 60 characters, as the web app's has: keep room for the suffix.
  name: '${take(name, 55)}-plan'
  location: location
  tags: tags
  kind: 'linux'
  sku: {
    name: planSku
    // State is in blob storage and sends are claimed across instances, so this can scale out.
    capacity: instanceCount
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2023-12-01' = {
  name: name
  location: location
  tags: tags
  kind: 'app,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientAffinityEnabled: false
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      linuxFxVersion: 'NODE|22-lts'
      // The built entry, as `npm start` runs it, without its prestart build: the build ran at
      // deploy time (CUSTOM_BUILD_COMMAND) and the devDependencies are pruned afterwards.
      appCommandLine: 'node --disable-warning=DEP0111 dist/bot/index.js'
      // Status polling runs on timers in the process; an idle-unloaded app would stop polling.
      alwaysOn: true
      healthCheckPath: '/healthz'
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      http20Enabled: true
      appSettings: appSettings
    }
  }
}

// Deployments authenticate with Entra ID (az webapp deploy): no FTP or SCM user name and password
// can publish or read the site.
resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2023-12-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2023-12-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

resource logs 'Microsoft.Web/sites/config@2023-12-01' = {
  parent: site
  name: 'logs'
  properties: {
    applicationLogs: {
      fileSystem: {
        level: 'Information'
      }
    }
    httpLogs: {
      fileSystem: {
        enabled: true
        retentionInDays: 3
        retentionInMb: 35
      }
    }
    detailedErrorMessages: {
      enabled: false
    }
    failedRequestsTracing: {
      enabled: false
    }
  }
}

resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: site
  properties: {
    workspaceId: workspaceId
    logs: [
      {
        category: 'AppServiceConsoleLogs'
        enabled: true
      }
      {
        category: 'AppServiceHTTPLogs'
        enabled: true
      }
      {
        category: 'AppServicePlatformLogs'
        enabled: true
      }
    ]
  }
}

output name string = site.name
output defaultHostName string = site.properties.defaultHostName
