"""Names of services that issue API credentials, for keyed detection (``ACCUWEATHER_KEY = …``).

The list is the set of providers trufflehog has a detector for (the directory names of
``pkg/detectors`` at https://github.com/trufflesecurity/trufflehog, read as a list of service
names: no pattern or sample is taken from them), lower-cased, with the credential-kind
suffixes (``apikey``, ``oauth``, ``token``, ``api``…) removed, names shorter than five letters
and ordinary English words (``front``, ``float``, ``monday``…) left out, and names that extend
another dropped (the match is by prefix).
"""

from __future__ import annotations

_NAMES = """
abuseipdb abyssale accuweather adafruitio adobeio adzuna aeroworkflow agora airbrake airship
airtable airvisual aiven alconost alegra aletheia algolia alibaba alienvault allsports ambee
amplitude anthropic anypoint apacta api2cart apideck apiflash apifonica apify apilayer apimatic
apimetrics apitemplate appcues appfollow appointedd appsynergy apptivo artifactory asana
assemblyai atera atlassian auth0 autodesk autoklose autopilot avaza aviationstack axonaut
aylien ayrshare azureapimanagement azureappconfigconnectionstring azurecontainerregistry
azuredevops azuredirectmanagement azurefunction azuresas azuresearch bannerbear baremetrics
beamer beebole besnappy besttime betterstack billomat bitbar bitbucketapppassword
bitcoinaverage bitfinex bitly bitmex blazemeter blitapp blocknative blogger bombbomb boostnote
borgbase braintreepayments braintrust brandfetch browserstack browshot bscscan buddyns budibase
bugherd bugsnag buildkite bulbul bulksms buttercms caflou calendly calorieninja campayn cannyio
capsulecrm captaindata carboninterface cashboard caspio censys centralstationcrm cexio
chartmogul chatfule checio checklyhq checkvist cicero circleci clarifai clearbit clickhelp
clicksendsms clickuppersonal cliengo clientary clinchpad clockify clockworksms closecrm
cloudconvert cloudelements cloudflare cloudimage cloudinary cloudmersive cloudplan cloudsmith
cloverly cloze clustdoc codacy codeclimate codemagic codequiry coinapi coinbase coinlayer
coinlib commercejs companyhub confluent contentful conversiontools convert convier couchbase
countrylayer coveralls craftmypdf crowdin cryptocompare currencycloud currencyfreaks
currencylayer currencyscoop currents customerguru customerio d7network dailyco dandelion
dareboost databox databricks datadog datagov deepai deepgram deepseek demio detectify
detectlanguage dfuse diffbot diggernaut digitalocean discordbot discordwebhook disqus dnscheck
dockerhub docparser documo docusign doppler dotdigital dovico dronahq droneci dropbox duffel
duply dynalist dyspatch eagleeyenetworks easyinsight ecostruxureit edamam edenai eightxeight
elasticemail elevenlabs enablex endorlabs etherscan ethplorer eventbrite everhour exchangerate
exportsdk extractor facebook faceplusplus fastforex fastlypersonal feedier fetchrss fibery
figma fileio finage financialmodelingprep finnhub fixerio fleetbase flexport flickr flight
flowflu flutterwave flyio formbucket formcraft formio formsite foursquare frameio freshbooks
freshdesk fullstory fxmarket gcpapplicationdefaultcredentials geckoboard gengo geoapify
geocodify geocodio geoipifi getgeo getgist getresponse getsandbox github gitlab gitter
glassnode gocanvas gocardless godaddy goodday googlegemini grafana graphcms graphhopper
groovehq gtmetrix guardian gumroad gyazo happyscribe harness hashicorpvault hasura hellosign
helpcrunch helpscout hereapi heroku hiveage honeycomb html2pdf hubspot huggingface hybiscus
hypertrack ibmcloud iconfinder iexapis iexcloud imagekit imagga infura instabot instamojo
intercom interseller intra42 intrinio invoiceocean ip2location ipapi ipgeolocation ipinfo
ipquality ipstack jotform jumpcloud jupiterone kanbantool karmacrm keenio klaviyo klipfolio
knapsackpro kontent kraken kucoin kylas langfuse langsmith languagelayer larksuite launchdarkly
leadfeeder lemlist lemonsqueezy lendflow lessannoyingcrm lexigram linemessaging linenotify
linkpreview liveagent livestorm loadmill locationiq loggly loginradius logzio lokalise loyverse
madkudu magicbell mailboxlayer mailchimp mailerlite mailgun mailjetbasicauth mailjetsms
mailmodo mailsac mandrill mapbox mapquest marketstack mattermostpersonal mavenlink
maxmindlicense meaningcloud mediastack meistertask meraki mesibo messagebird metaapi metrilo
microsoftteamswebhook mindmeister mixmax mixpanel mockaroo monkeylearn moonclerk moosend
moralis mrticktock myfreshworks myintervals nasdaqdatalink nethunt netlify netsuite neutrino
newrelic newsapi newscatcher nexmo nftport ngrok nicereply nightfall notion nozbeteams nuget
numverify nutritionix nvapi nylas oanda octopusdeploy omnisend onedesk onelogin onepagecrm
onesignal onfleet oopspam openai opencagedata openrouter openuv openvpn openweather opsgenie
optimizely overloop packagecloud pagarme pagerduty pandadoc pandascore paperform paralleldots
parsehub parseur partnerstack pastebin paydirtapp paymoapp paymongo paypal paystack pdflayer
pdfshift peopledatalabs pepipost pganalyzeread photoroom pinata pinecone pipedream pipedrive
pivotaltracker pixabay plaid planetscale planviewleankit planyo plivo podio polls poloniex
portainer positionstack postageapp postbacks posthog postman postmark powrbot prefect prodpad
prospectcrm protocolsio proxycrawl pubnubpublish pubnubsubscription pulumi purestake pushbullet
pusherchannel qualaroo qubole rabbitmq railwayapp rapid razorpay reachmail readme
reallysimplesystems rebrandly rechargepayments redhatpyxis rentman repairshopr replicate
replyio requestfinance restpackhtmltopdf restpackscreenshot revampcrm ringcentral ritekit
robinhoodcrypto rocketreach rootly route4me rownd rubygems runrunit saladcloud salesblink
salescookie salesflare salesforce salesmate sanity satismeter saucelabs scaleway scalr
scrapeowl scraper scrapestack scrapfly scrapingant scrapingbee screenshot scrutinizerci
securitytrails segment selectpdf sendbird sendgrid sendinblue sentry serphouse serpstack sheety
sherpadesk shipday shippo shodan shopify shotstack shutterstock signable signalwire signaturit
signupgenius sigopt simfin simplynoted simvoly sinchmessage siteleaf skrappio skybiometry slack
smartsheets smartystreets smooch snipcart snowflake solarwindsobservability sonarcloud
sourcegraph sparkpost spectralops speechtextai splunkobservability spoonacular sportsmonk
spotify square sslmate statuscake statuspage statuspal stitchdata stockdata storecove
stormboard stormglass storyblok storychief strava stripe stripo stytch sugester sumologic
supabase supernotes surveyanyplace surveybot surveysparrow swiftype tailscale tallyfy tatumio
taxjar teamgate teamworkcrm teamworkdesk teamworkspaces technicalanalysis tefter telegrambot
telnyx terraformcloudpersonal testingbot textmagic theodds thinkific thousandeyes tickettailor
tiingo timecamp timezone tineswebhook tmetric todoist toggltrack tokeet tomorrowio tomtom
tradier transferwise travelpayouts travisci trello trufflehogenterprise twelvedata twilio
twitch twitter tyntec typeform typetalk ubidots uclassify unifyid unsplash upcdatabase uplead
uploadcare uptimerobot urlscan userflow userstack vagrantcloudpersonal vatlayer vbout vercel
verimail versioneye viewneo virustotal visualcrossing voiceflow voicegain voodoosms vpnapi
vultr walkscore weatherbit weatherstack web3storage webex webflow webscraper websitepulse
weightsandbiases wepay whoxy wistia workstack worldcoinindex worldweather wrike yandex
youneedabudget yousign youtube zapierwebhook zendesk zenkit zenrows zenscrape zenserp zeplin
zerobounce zerotier zipbooks zipcode zohocrm zonkafeedback zulipchat
"""

PROVIDER_NAMES: tuple[str, ...] = tuple(_NAMES.split())
