"""Demo tickets in English: how the staff of Brightwater Logistics describe their problems."""

from __future__ import annotations

from helpline.core.demo.texts import CategoryTexts, LanguageTexts, Opening

SR, Q = "service_request", "question"

PRINTERS = CategoryTexts(
    openings=(
        Opening(
            subject="Printer in {room} not printing",
            body=(
                "The {printer} in {room} has stopped printing. Jobs go into the queue and sit "
                "there with status 'Error'. I restarted my PC, no change. We need to print the "
                "customs paperwork for a shipment today."
            ),
            urgency="high",
            resolutions=(
                "We cleared the stuck print queue and restarted the print service. A test page "
                "came out fine, please try sending your document again.",
                "We reinstalled the printer driver and re-added the printer on your PC, and "
                "tested printing with you.",
            ),
            notes=(
                "Print queue on bw-print01 full of stuck jobs, restarted the spooler.",
                "User has an old driver from 2019, pushing the current one by policy.",
            ),
            dialogues=(
                (
                    "Could you tell us what the printer's display shows right now? A photo of "
                    "the screen and the asset tag on the side would help.",
                    "The display shows {printer_error}, photo attached. Nobody can print.",
                ),
                (
                    "Is it just you, or can nobody in {room} print to the {printer}?",
                    "Nobody on our floor can print. Asset tag is {inv}.",
                ),
                (
                    "Is it just you, or can nobody in {room} print to the {printer}?",
                    "My colleagues can print, it's only me. I've restarted already.",
                ),
            ),
        ),
        Opening(
            subject="Paper jam error {printer_error}",
            body=(
                "The {printer} shows error {printer_error} (paper jam) but there is no paper "
                "inside, we opened every tray and door. It's the one in {room}, asset tag "
                "{inv}."
            ),
            resolutions=(
                "We removed a torn piece of paper from the fuser and cleaned the rollers. "
                "Error {printer_error} no longer appears.",
            ),
            notes=(
                "Checked on site: pickup roller worn out, ordered a maintenance kit for the "
                "{printer}.",
            ),
            dialogues=(
                (
                    "Could you tell us what the printer's display shows right now? A photo of "
                    "the screen and the asset tag on the side would help.",
                    "The display shows {printer_error}, photo attached. Nobody can print.",
                ),
            ),
        ),
        Opening(
            subject="Toner replacement in {room}",
            body=(
                "The {printer} in {room} is printing very faint and streaky, the toner seems "
                "to be empty. Could someone replace the cartridge please?"
            ),
            type=SR,
            urgency="low",
            tags=("toner",),
            resolutions=(
                "We replaced the toner in the {printer}; print quality is back to normal.",
            ),
        ),
        Opening(
            subject="Printouts have grey lines",
            body=(
                "Everything printed on the {printer} comes out with vertical grey lines and "
                "sometimes blank pages. The toner was replaced last month. Location: {room}."
            ),
            resolutions=(
                "We replaced the toner in the {printer}; print quality is back to normal.",
            ),
            notes=(
                "Checked on site: pickup roller worn out, ordered a maintenance kit for the "
                "{printer}.",
            ),
            dialogues=(
                (
                    "Is it just you, or can nobody in {room} print to the {printer}?",
                    "My colleagues can print, it's only me. I've restarted already.",
                ),
            ),
        ),
        Opening(
            subject="Scan to folder not working",
            body=(
                "The multifunction {printer} in {room} can no longer scan to the network "
                "folder, the display says 'Cannot connect to server'. Scans used to arrive in "
                "\\\\bw-fs01\\Scans."
            ),
            resolutions=(
                "We updated the scanning account's password on the device; scans are saved to "
                "\\\\bw-fs01\\Scans again.",
            ),
            dialogues=(
                (
                    "Could you tell us what the printer's display shows right now? A photo of "
                    "the screen and the asset tag on the side would help.",
                    "The display shows {printer_error}, photo attached. Nobody can print.",
                ),
            ),
        ),
        Opening(
            subject="Set up the new printer",
            body=(
                "A new {printer} has been delivered to {room}. Please connect it to the "
                "network and install it on the team's PCs (6 people)."
            ),
            type=SR,
            impact="low",
            urgency="low",
            resolutions=(
                "We connected the printer to the network, reserved an IP address for it and "
                "installed the driver on the team's PCs. It shows up as {printer} in the "
                "printer list.",
            ),
        ),
    ),
    tags=("printer",),
)

LAPTOPS = CategoryTexts(
    openings=(
        Opening(
            subject="Laptop won't power on",
            body=(
                "My {laptop} won't turn on: the power light blinks once and goes off, the "
                "screen stays black. The charger is plugged in. It worked fine last night."
            ),
            urgency="high",
            resolutions=(
                "The power adapter was faulty: we replaced the charger and the laptop powers "
                "on and charges.",
            ),
            notes=(
                "Tested with another power supply and it boots, so the original adapter is dead.",
            ),
            dialogues=(
                (
                    "Could you send us the asset tag and let us know when a technician can "
                    "come to {room}?",
                    "Asset tag {inv}. I'm at my desk all day, come whenever suits.",
                ),
                (
                    "Could you send us the asset tag and let us know when a technician can "
                    "come to {room}?",
                    "After lunch would be best, from 2 pm.",
                ),
            ),
        ),
        Opening(
            subject="Blue screen {bsod}",
            body=(
                "My PC crashes to a blue screen with {bsod} several times a day, usually when "
                "I open large Excel files. Model {laptop}, asset tag {inv}."
            ),
            resolutions=(
                "We rolled back the graphics driver and paused its automatic updates. No blue "
                "screens in 24 hours of monitoring.",
            ),
            notes=("Took a memory dump, graphics driver is the culprit. Rolling back.",),
            dialogues=(
                (
                    "Did the error start after you installed something new? Please send a "
                    "photo of the screen with the error text.",
                    "Nothing new installed. Photo attached, the code is {bsod}.",
                ),
            ),
        ),
        Opening(
            subject="Computer extremely slow",
            body=(
                "My computer has become really slow, Outlook and the TMS take minutes to open "
                "and the fan is constantly loud. It's a {laptop}, I sit in {room}."
            ),
            urgency="low",
            resolutions=(
                "We replaced the hard drive with an SSD and moved your data across; the laptop "
                "is much faster now. Let us know if any files are missing.",
            ),
            notes=("Diagnostics: disk SMART errors, migrating data to a new SSD.",),
            dialogues=(
                (
                    "Could you send us the asset tag and let us know when a technician can "
                    "come to {room}?",
                    "Asset tag {inv}. I'm at my desk all day, come whenever suits.",
                ),
                (
                    "Could you send us the asset tag and let us know when a technician can "
                    "come to {room}?",
                    "After lunch would be best, from 2 pm.",
                ),
            ),
        ),
        Opening(
            subject="Windows won't boot after update",
            body=(
                "After installing Windows updates my {laptop} doesn't boot, it shows "
                "'Automatic Repair' and error {win_error}. I can't work at all."
            ),
            urgency="high",
            resolutions=(
                "We repaired the Windows boot from the recovery environment and removed the "
                "faulty update. All your data is intact.",
            ),
            dialogues=(
                (
                    "Did the error start after you installed something new? Please send a "
                    "photo of the screen with the error text.",
                    "Nothing new installed. Photo attached, the code is {bsod}.",
                ),
            ),
        ),
        Opening(
            subject="Laptop for new starter",
            body=(
                "We have a new starter joining on {start_date}. Please prepare a laptop with "
                "Office, VPN and the TMS client for their first day."
            ),
            type=SR,
            impact="low",
            tags=("onboarding",),
            resolutions=(
                "The new starter's laptop is ready with Office, VPN and the TMS client. It can "
                "be collected from the IT room on the ground floor.",
            ),
            notes=("Laptop built from the standard image, joined to the domain, BitLocker on.",),
        ),
        Opening(
            subject="Cracked laptop screen",
            body=(
                "I dropped my {laptop} and the screen is cracked, half of it is unreadable. "
                "Asset tag {inv}. Can the screen be replaced or can I get a loan laptop?"
            ),
            resolutions=(
                "The screen was replaced under warranty, the laptop is ready to collect.",
            ),
            notes=("Issued a loan {laptop} from stock, original sent for warranty repair.",),
            dialogues=(
                (
                    "Could you send us the asset tag and let us know when a technician can "
                    "come to {room}?",
                    "Asset tag {inv}. I'm at my desk all day, come whenever suits.",
                ),
            ),
        ),
    ),
    tags=("hardware",),
)

PERIPHERALS = CategoryTexts(
    openings=(
        Opening(
            subject="Second monitor not working",
            body=(
                "My second monitor ({monitor}) has stopped showing anything, it says 'No "
                "signal'. I've reseated the cable. Desk is in {room}."
            ),
            urgency="low",
            resolutions=("We replaced the DisplayPort cable and the second monitor works again.",),
            dialogues=(
                (
                    "What model is the monitor and how is it connected (HDMI, DisplayPort, USB-C)?",
                    "It's a {monitor}, connected with HDMI.",
                ),
                (
                    "What model is the monitor and how is it connected (HDMI, DisplayPort, USB-C)?",
                    "DisplayPort, the cable that came with it.",
                ),
            ),
        ),
        Opening(
            subject="Headset needed for calls",
            body=(
                "Could I get a new headset for video calls? The microphone on mine has stopped "
                "working and people can't hear me."
            ),
            type=SR,
            impact="low",
            urgency="low",
            resolutions=(
                "We've given you a new Jabra Evolve2 30 headset and collected the old one.",
            ),
        ),
        Opening(
            subject="Keyboard and mouse not responding",
            body=(
                "My wireless keyboard and mouse stopped responding, new batteries didn't help. "
                "PC in {room}, asset tag {inv}."
            ),
            resolutions=("We replaced the wireless receiver; keyboard and mouse are working.",),
            dialogues=(
                (
                    "Does the device work if you plug it into a different USB port?",
                    "Tried another port, same thing.",
                ),
            ),
        ),
        Opening(
            subject="Monitor flickering",
            body=(
                "My {monitor} flickers and goes black for a couple of seconds every few "
                "minutes. It's giving me headaches, can it be swapped?"
            ),
            urgency="low",
            resolutions=("We swapped the monitor for a {monitor} from stock, no more flickering.",),
            notes=("Took a {monitor} from spares, will swap tomorrow morning.",),
            dialogues=(
                (
                    "What model is the monitor and how is it connected (HDMI, DisplayPort, USB-C)?",
                    "It's a {monitor}, connected with HDMI.",
                ),
            ),
        ),
        Opening(
            subject="Docking station not detecting screens",
            body=(
                "When my {laptop} is in the dock it doesn't detect the monitors or the "
                "network, only charging works. Without the dock everything is fine."
            ),
            resolutions=(
                "We updated the dock firmware and driver; monitors and network are detected.",
            ),
            notes=("Updated the dock firmware, known issue with this version.",),
            dialogues=(
                (
                    "Does the device work if you plug it into a different USB port?",
                    "Tried another port, same thing.",
                ),
            ),
        ),
    ),
    tags=("peripherals",),
)

VPN = CategoryTexts(
    openings=(
        Opening(
            subject="Can't connect to VPN from home",
            body=(
                "I can't connect to the VPN from home. {vpn_client} says '{vpn_error}'. My "
                "home internet works and the VPN was fine yesterday. I'm working remotely and "
                "can't reach the TMS without it."
            ),
            urgency="high",
            resolutions=(
                "We reissued your VPN certificate and updated the connection profile. Please "
                "reconnect, it should work now.",
            ),
            notes=("Gateway logs show a certificate rejection: user's cert expired, reissuing.",),
            dialogues=(
                (
                    "Could you send a screenshot of the error and tell us how you connect "
                    "(home broadband, mobile hotspot, hotel Wi-Fi)?",
                    "Screenshot attached. Home broadband, BT.",
                ),
                (
                    "Could you send a screenshot of the error and tell us how you connect "
                    "(home broadband, mobile hotspot, hotel Wi-Fi)?",
                    "Same error: '{vpn_error}'. I haven't tried reinstalling.",
                ),
                (
                    "Which version of {vpn_client} do you have? It's under 'About'.",
                    "It's an old one, 4.9. I'm on a mobile hotspot.",
                ),
            ),
        ),
        Opening(
            subject="VPN keeps dropping",
            body=(
                "My VPN connection through {vpn_client} drops every 10-15 minutes and I have "
                "to reconnect and log in again. It's been like this since Monday."
            ),
            resolutions=(
                "We upgraded {vpn_client} to the current version and adjusted the MTU; the "
                "drops should stop.",
            ),
            notes=(
                "MTU issue on the ISP side, set 1350 on the client.",
                "vpn01 overloaded, moving users to the secondary node tonight.",
            ),
            dialogues=(
                (
                    "Which version of {vpn_client} do you have? It's under 'About'.",
                    "It's an old one, 4.9. I'm on a mobile hotspot.",
                ),
                (
                    "Could you send a screenshot of the error and tell us how you connect "
                    "(home broadband, mobile hotspot, hotel Wi-Fi)?",
                    "Screenshot attached. Home broadband, BT.",
                ),
            ),
        ),
        Opening(
            subject="Request for VPN access",
            body=(
                "Please set up remote VPN access for me, I'll be working from home on Tuesdays "
                "and Thursdays. My manager has approved it."
            ),
            type=SR,
            impact="low",
            urgency="low",
            tags=("remote-work",),
            resolutions=(
                "Your VPN access is set up, setup instructions attached. Use your usual "
                "Windows sign-in.",
            ),
            notes=("Account isn't in VPN-Users, added after manager approval.",),
        ),
        Opening(
            subject="VPN connected but shared drives unavailable",
            body=(
                "The VPN connects fine, but the shared drive \\\\bw-fs01\\Shared and the TMS "
                "are unreachable: 'The network path was not found'. I'm travelling this week."
            ),
            resolutions=(
                "We added the route to the file server to the VPN profile; shared drives and "
                "the TMS are reachable.",
            ),
            dialogues=(
                (
                    "Could you send a screenshot of the error and tell us how you connect "
                    "(home broadband, mobile hotspot, hotel Wi-Fi)?",
                    "Screenshot attached. Home broadband, BT.",
                ),
            ),
        ),
        Opening(
            subject="No MFA prompt for VPN login",
            body=(
                "When I connect to the VPN the MFA push never arrives on my phone, so I can't "
                "log in and start work."
            ),
            urgency="high",
            resolutions=(
                "We re-registered your phone for MFA; the push notifications arrive now.",
            ),
        ),
    ),
    tags=(
        "vpn",
        "remote",
    ),
)

WIFI = CategoryTexts(
    openings=(
        Opening(
            subject="Wi-Fi dropping in {room}",
            body=(
                "The {ssid} Wi-Fi in {room} keeps dropping every few minutes, video calls are "
                "impossible."
            ),
            resolutions=(
                "We replaced the access point in {room} and re-planned the channels; the "
                "connection is stable now.",
            ),
            notes=("AP-2-04 rebooting on watchdog, replacing its PoE injector.",),
            dialogues=(
                (
                    "At what time does the connection drop most often, and how many people are "
                    "in the room?",
                    "Mostly between 10 and 12, about 15 people in the room.",
                ),
                (
                    "Which desk or part of {room} are you in? We'll check the access point "
                    "coverage.",
                    "By the window in {room}, close to the stairs.",
                ),
            ),
        ),
        Opening(
            subject="Can't join {ssid}",
            body=(
                "My {laptop} won't connect to {ssid}: 'Can't connect to this network'. My "
                "phone joins without problems."
            ),
            resolutions=(
                "We removed the old {ssid} profile and pushed the new one; your laptop connects.",
            ),
            notes=("RADIUS certificate for {ssid} renewed, older laptops need the new profile.",),
        ),
        Opening(
            subject="Guest Wi-Fi for visitors",
            body=(
                "We have a partner meeting {meeting_day} and need guest Wi-Fi for 6 visitors "
                "for the whole day."
            ),
            type=SR,
            impact="low",
            resolutions=(
                "Guest access is ready, reception has the password for the day. It expires at "
                "8 pm.",
            ),
        ),
        Opening(
            subject="Very slow Wi-Fi",
            body=(
                "The internet over Wi-Fi in {room} is painfully slow, pages take a minute to "
                "load. Wired is fine."
            ),
            urgency="low",
            resolutions=(
                "We moved the access points to 5 GHz and the Wi-Fi speed is back to normal.",
            ),
            notes=(
                "Channel 6 congested by neighbouring networks, moved APs to 5 GHz, channels 36/44.",
            ),
            dialogues=(
                (
                    "Which desk or part of {room} are you in? We'll check the access point "
                    "coverage.",
                    "By the window in {room}, close to the stairs.",
                ),
            ),
        ),
    ),
    tags=(
        "wifi",
        "network",
    ),
)

EMAIL = CategoryTexts(
    openings=(
        Opening(
            subject="Not receiving external e-mails",
            body=(
                "Since yesterday I haven't received any e-mails from outside the company; "
                "internal mail arrives. Customers say they get a bounce: '{mail_error}'."
            ),
            urgency="high",
            resolutions=(
                "We fixed the domain's SPF record and got it delisted; external mail is being "
                "delivered again. Tested with a message from an outside address.",
            ),
            notes=(
                "Our domain landed on an external blocklist; delisting requested, SPF checked.",
            ),
            dialogues=(
                (
                    "Could you forward us one of the bounce messages the customers received, "
                    "with the full error text?",
                    "Forwarded you the customer's bounce with '{mail_error}'.",
                ),
            ),
        ),
        Opening(
            subject="Mailbox full",
            body=(
                "Outlook says my mailbox is full and I can't send anything. Can the quota be "
                "increased, or what should I delete?"
            ),
            resolutions=(
                "We raised your mailbox quota to 10 GB and enabled the online archive; sending "
                "works again.",
            ),
        ),
        Opening(
            subject="Access to shared mailbox {mailbox}",
            body=(
                "Please give me access to the shared mailbox {mailbox}; I'm taking over these "
                "requests from a colleague."
            ),
            type=SR,
            impact="low",
            urgency="low",
            tags=("shared-mailbox",),
            resolutions=(
                "Access to {mailbox} is granted; it will appear in Outlook within an hour of a "
                "restart.",
            ),
        ),
        Opening(
            subject="Outlook keeps asking for password",
            body=(
                "Outlook asks for my password every half hour and the prompt comes straight "
                "back after I enter it. The password is right, webmail works."
            ),
            resolutions=(
                "We recreated your Outlook profile and the password prompts have stopped.",
            ),
            notes=("Outlook profile corrupted, recreating it and clearing the OST cache.",),
            dialogues=(
                (
                    "Which device does this happen on: desktop, laptop or phone?",
                    "On my desktop; mail on my phone is fine.",
                ),
                (
                    "Which device does this happen on: desktop, laptop or phone?",
                    "All devices, the same.",
                ),
            ),
        ),
        Opening(
            subject="How do I set up my e-mail signature?",
            body=(
                "How do I set up the company signature in Outlook? I found the template on the "
                "intranet but can't get the logo in."
            ),
            type=Q,
            impact="low",
            urgency="low",
            resolutions=(
                "Your signature is set up from the template, and we added a how-to to the "
                "knowledge base.",
            ),
        ),
        Opening(
            subject="E-mail with attachment stuck in Outbox",
            body=(
                "An e-mail with a {attachment_mb} MB attachment is stuck in my Outbox. I need "
                "to send the rate sheet to a customer urgently."
            ),
            resolutions=(
                "We sent the file as a cloud link instead: mail doesn't accept attachments "
                "over 20 MB.",
            ),
            notes=("Transport limit is 20 MB, suggest a cloud link.",),
            dialogues=(
                (
                    "Which device does this happen on: desktop, laptop or phone?",
                    "On my desktop; mail on my phone is fine.",
                ),
            ),
        ),
    ),
    tags=("email",),
)

ACCESS = CategoryTexts(
    openings=(
        Opening(
            subject="Account locked out",
            body=(
                "I can't log in, Windows says 'The referenced account is currently locked "
                "out'. I mistyped my password a few times after my holiday."
            ),
            urgency="high",
            tags=("password",),
            resolutions=(
                "Your account is unlocked. Please update the password in your phone's mail "
                "app, otherwise it will lock again.",
            ),
            notes=("Unlocked in AD; cause is an old password saved on the phone's mail app.",),
            dialogues=(
                (
                    "To reset the password we need to verify your identity: please call the "
                    "service desk from your desk phone or drop by the IT room.",
                    "Called you back and gave my employee number.",
                ),
            ),
        ),
        Opening(
            subject="Password reset",
            body="I've forgotten my password, please reset it. Username {login}.",
            type=SR,
            urgency="high",
            tags=("password",),
            resolutions=(
                "Your password has been reset; we gave you a temporary one on the phone. "
                "You'll be asked to choose a new one at sign-in.",
            ),
            dialogues=(
                (
                    "To reset the password we need to verify your identity: please call the "
                    "service desk from your desk phone or drop by the IT room.",
                    "Called you back and gave my employee number.",
                ),
            ),
        ),
        Opening(
            subject="Access to {share}",
            body=(
                "Please grant me read/write access to {share}. My manager has approved, the "
                "approval e-mail is attached."
            ),
            type=SR,
            impact="low",
            urgency="low",
            resolutions=(
                "Access to {share} is granted. Sign out and back in for it to take effect.",
            ),
            notes=("Added to the folder's access group, owner confirmed.",),
            dialogues=(
                (
                    "Please forward the approval from the folder owner.",
                    "Forwarding the approval from my manager now.",
                ),
            ),
        ),
        Opening(
            subject="New starter account",
            body=(
                "A new account manager starts on {start_date}. They need a Windows account, "
                "mailbox, TMS access and access to \\\\bw-fs01\\Sales."
            ),
            type=SR,
            impact="low",
            tags=("onboarding",),
            resolutions=(
                "Account, mailbox and access for the new starter are ready; sign-in details "
                "are with the manager.",
            ),
            notes=("Account created from the department template, password given to the manager.",),
        ),
        Opening(
            subject="Disable leaver's account",
            body=(
                "A member of the warehouse team left on {start_date}. Please disable the "
                "account and forward the mailbox to the team lead."
            ),
            type=SR,
            tags=("offboarding",),
            resolutions=("The account is disabled and the mailbox forwards to the team lead.",),
        ),
    ),
    tags=("access",),
)

OFFICE = CategoryTexts(
    openings=(
        Opening(
            subject="Excel freezes opening a file",
            body=(
                "Excel freezes when I open {xlsx}, it says 'Not responding'. The file is on "
                "\\\\bw-fs01\\Shared and opens fine for colleagues."
            ),
            resolutions=(
                "We removed the unused styles and hidden objects from the file; it's ten times "
                "smaller and opens quickly.",
            ),
            notes=(
                "File has thousands of unused styles and hidden shapes, cleaning with a macro.",
            ),
            dialogues=(
                (
                    "Does the file open if you copy it to your desktop first? How big is it?",
                    "It opens from the desktop but slowly too. About 80 MB.",
                ),
            ),
        ),
        Opening(
            subject="Word won't save document",
            body=(
                "Word says 'Document not saved. Access denied' when I save a document in {share}."
            ),
            resolutions=("We restored the permissions on the folder and the document saves.",),
        ),
        Opening(
            subject="Office says unlicensed product",
            body=(
                "Word and Excel show 'Unlicensed Product' at start-up and some features are "
                "disabled."
            ),
            resolutions=("We re-activated Office under your account; all features are back.",),
            notes=("Licence dropped after the password change, signed the user back in.",),
            dialogues=(
                (
                    "Which Office version do you have? File > Account shows it.",
                    "Microsoft 365, version 2308.",
                ),
            ),
        ),
        Opening(
            subject="How to freeze the header row in Excel?",
            body=(
                "How do I freeze the first row and column in Excel so the headings stay "
                "visible when I scroll?"
            ),
            type=Q,
            impact="low",
            urgency="low",
            resolutions=(
                "Select cell B2, then View > Freeze Panes > Freeze Panes. There's an article "
                "in the knowledge base too.",
            ),
        ),
        Opening(
            subject="Teams won't join meetings",
            body=(
                "Teams spins forever when I join a meeting and then says 'Something went "
                "wrong'. I have a customer call at {time}, please help."
            ),
            urgency="high",
            resolutions=(
                "We cleared the Teams cache and updated the app; joining meetings works.",
            ),
            notes=("Teams cache corrupted, clearing the cache folder.",),
            dialogues=(
                (
                    "Which Office version do you have? File > Account shows it.",
                    "Microsoft 365, version 2308.",
                ),
            ),
        ),
    ),
    tags=("office",),
)

SOFTWARE_INSTALL = CategoryTexts(
    openings=(
        Opening(
            subject="Install {app}",
            body=(
                "Please install {app} on my PC (asset tag {inv}); I need it to work with "
                "supplier documents."
            ),
            type=SR,
            impact="low",
            urgency="low",
            resolutions=("{app} is installed, the shortcut is on your desktop.",),
            notes=("On the approved list, deploying via SCCM.",),
            dialogues=(
                (
                    "What do you need it for? There may be an approved alternative already.",
                    "It's to view drawings from a supplier, nothing else opens them.",
                ),
                (
                    "When can we connect to your PC remotely to install it?",
                    "Any time before 5 pm.",
                ),
            ),
        ),
        Opening(
            subject="Update {app}",
            body="{app} keeps asking to update but needs admin rights. Could you update it?",
            type=SR,
            impact="low",
            urgency="low",
            resolutions=("We updated {app} to the latest version.",),
            notes=("On the approved list, deploying via SCCM.",),
            dialogues=(
                (
                    "When can we connect to your PC remotely to install it?",
                    "Any time before 5 pm.",
                ),
            ),
        ),
        Opening(
            subject="{app} install fails",
            body=(
                "I'm trying to install {app} from Software Center and it fails with {win_error}."
            ),
            resolutions=("We updated .NET Framework and {app} then installed without errors.",),
            notes=("Installer fails on an old .NET, updating .NET Framework first.",),
            dialogues=(
                (
                    "When can we connect to your PC remotely to install it?",
                    "Any time before 5 pm.",
                ),
            ),
        ),
        Opening(
            subject="Licence for {app}",
            body=(
                "I need a one-year {app} licence for a new project. The budget is approved by "
                "finance."
            ),
            type=SR,
            impact="low",
            urgency="low",
            tags=("licence",),
            resolutions=("The licence has arrived and is activated on your account.",),
            notes=("Licence ordered from the reseller, waiting for the invoice.",),
            dialogues=(
                (
                    "What do you need it for? There may be an approved alternative already.",
                    "It's to view drawings from a supplier, nothing else opens them.",
                ),
            ),
        ),
    ),
    tags=("software",),
)

SERVERS = CategoryTexts(
    openings=(
        Opening(
            subject="Shared drive {share} unavailable",
            body=(
                "Nobody in our team can open {share}: 'You do not have access'. Work has stopped."
            ),
            impact="high",
            urgency="high",
            tags=("outage",),
            resolutions=("We restored the service on {server}; {share} is available again.",),
            notes=("DFS replication failed after the reboot, restarted the service.",),
            dialogues=(
                (
                    "Is it the whole office or only your team?",
                    "Only our team, on the second floor.",
                ),
            ),
        ),
        Opening(
            subject="Restore a deleted folder",
            body=(
                "I accidentally deleted a folder of reports from {share}. Can it be restored "
                "from backup as of {backup_date}?"
            ),
            type=SR,
            tags=("backup",),
            resolutions=(
                "We restored the folder from backup into {share}\\Restored; please check "
                "everything is there.",
            ),
            notes=("Restoring from last night's Veeam backup into a separate folder.",),
            dialogues=(
                (
                    "Please send the full path of the folder and roughly when the files were "
                    "last there.",
                    "The path is {share}\\Reports, it was all there yesterday at 6 pm.",
                ),
            ),
        ),
        Opening(
            subject="Shared drive out of space",
            body=(
                "Saving to {share} fails with 'not enough space on the disk'. I need to save "
                "the month-end export."
            ),
            urgency="high",
            resolutions=("We extended the disk by 200 GB and set up a space alert; saving works.",),
            notes=("{server} volume D: at 99%, extending the disk by 200 GB in vSphere.",),
        ),
        Opening(
            subject="Files on server very slow",
            body=(
                "Files on {server} open very slowly and copying runs at a couple of MB/s. The "
                "people next to me have the same."
            ),
            resolutions=(
                "We replaced the switch uplink cable and copy speeds are back to normal.",
            ),
            notes=(
                "Second-floor switch negotiating 100 Mbit/s, replacing the uplink patch cable.",
            ),
            dialogues=(
                (
                    "Is it the whole office or only your team?",
                    "Only our team, on the second floor.",
                ),
            ),
        ),
    ),
    tags=("servers",),
)

TEXTS = LanguageTexts(
    categories={
        "printers": PRINTERS,
        "laptops": LAPTOPS,
        "peripherals": PERIPHERALS,
        "vpn": VPN,
        "wifi": WIFI,
        "email": EMAIL,
        "access": ACCESS,
        "office": OFFICE,
        "software-install": SOFTWARE_INSTALL,
        "servers": SERVERS,
    },
    email_greetings=("Hi,", "Hello,", "Hi team,", "Good morning,"),
    email_signoffs=(
        "Thanks,\n{full_name}",
        "Kind regards,\n{full_name}\n{org}",
        "Many thanks,\n{full_name}",
    ),
    chat_openers=("Hi! ", "Hello, ", "Hi there, ", ""),
    phone_prefixes=(
        "Phone call to the service desk. Caller reports: ",
        "Logged from a phone call. The user says: ",
    ),
    agent_greetings=("Hi {name},", "Hello {name},", "Dear {name},"),
    agent_signoffs=(
        "Best regards,\n{agent}\nIT Service Desk",
        "Thanks,\n{agent}",
        "Kind regards,\n{agent}, IT Support",
    ),
    acknowledgements=(
        "Thanks for reporting this, we're looking into it and will update you shortly.",
        "We've picked this up; an engineer will be in touch soon.",
        "Thanks, we're on it. We expect to have this sorted by the end of the day.",
    ),
    confirmations=(
        "Thanks, all working now!",
        "Checked and it's fine now, thanks for the quick help.",
        "Yes, that did it. Much appreciated.",
    ),
    closings=(
        "Great to hear! I'll mark this as solved; just reply if it comes back.",
        "Glad that sorted it, closing the ticket now.",
    ),
    reopenings=(
        "Unfortunately it happened again this morning.",
        "It's broken again, same as last time.",
    ),
    second_fixes=(
        "We found why it came back and fixed the root cause; we'll keep an eye on it for a "
        "couple of days. Just reply if it returns.",
    ),
    escalation_notes=(
        "Couldn't resolve at first line, passing to {team}. Restart and connectivity "
        "checks done, no change.",
        "Needs server admin rights, escalating to {team}.",
        "Looks systemic, several users affected. Handing over to {team}.",
    ),
    holds={
        "part": (
            "Waiting on the supplier: part ordered, 3-5 working days.",
            "We've ordered the part from the supplier and will come back to you as soon as "
            "it arrives. In the meantime please use the loan equipment.",
        ),
        "vendor": (
            "Case opened with the vendor, awaiting their reply.",
            "We've raised this with the vendor and are waiting for their answer; we'll "
            "update you as soon as we hear back.",
        ),
        "budget": (
            "Waiting for budget approval from finance.",
            "The purchase needs budget approval from finance; we'll carry on as soon as it "
            "is signed off.",
        ),
    },
    incident_dialogues=(
        (
            "When did this first start, and can we connect to your PC remotely now?",
            "It started yesterday afternoon. Go ahead, I'm at my desk.",
        ),
        (
            "Where are you based today, and which number can we reach you on?",
            "I'm in {room}, extension {ext}.",
        ),
    ),
    request_dialogues=(
        (
            "Could you forward your manager's approval? We'll start straight away.",
            "Forwarded my manager's approval.",
        ),
        (
            "By when do you need this done?",
            "Ideally by the end of the week.",
        ),
    ),
    generic_notes=(
        "Called the user to go through the details.",
        "Same issue as a ticket last month, same fix.",
    ),
    pools={
        "room": (
            "Leeds office, 2nd floor",
            "the finance room",
            "meeting room Humber",
            "the warehouse office",
            "Rotterdam office",
            "reception",
            "the customer service area",
            "meeting room Aire",
        ),
        "printer": (
            "HP LaserJet Enterprise M507",
            "Ricoh IM C3000",
            "Canon imageRUNNER 2630i",
            "Brother MFC-L8900CDW",
            "Zebra ZT411 label printer",
        ),
        "printer_error": ("13.B2.D2", "SC542", "E000-0001", "49.4C02", "Paper Jam 0x3A"),
        "laptop": (
            "Dell Latitude 7440",
            "Lenovo ThinkPad X1 Carbon",
            "HP EliteBook 840 G9",
            "Surface Laptop 5",
            "Dell OptiPlex 7010",
        ),
        "monitor": ("Dell U2422H", "HP E24 G5", "LG 27UP850", "iiyama ProLite XUB2493"),
        "bsod": (
            "IRQL_NOT_LESS_OR_EQUAL",
            "PAGE_FAULT_IN_NONPAGED_AREA",
            "MEMORY_MANAGEMENT",
            "DRIVER_POWER_STATE_FAILURE",
            "VIDEO_TDR_FAILURE",
        ),
        "win_error": ("0x80070005", "0xc000000f", "0x800f0922", "0x80070643", "0x87d00607"),
        "vpn_client": ("GlobalProtect", "Cisco AnyConnect", "FortiClient"),
        "vpn_error": (
            "Connection attempt has failed",
            "Gateway not responding",
            "Certificate validation failure",
            "The VPN connection timed out",
        ),
        "ssid": ("BW-Corp", "BW-Corp-5G", "BW-Warehouse"),
        "mailbox": (
            "bookings@brightwater.example",
            "accounts@brightwater.example",
            "customs@brightwater.example",
            "claims@brightwater.example",
        ),
        "mail_error": (
            "550 5.7.1 Message rejected as spam",
            "550 5.1.1 Recipient address rejected",
            "421 4.7.0 Try again later",
            "554 5.7.5 Permanent error evaluating DMARC policy",
        ),
        "attachment_mb": ("25", "35", "40", "55"),
        "share": (
            "\\\\bw-fs01\\Finance",
            "\\\\bw-fs01\\Shared",
            "\\\\bw-fs01\\Operations",
            "\\\\bw-fs02\\Customs",
            "\\\\bw-fs01\\Sales",
        ),
        "server": ("bw-fs01", "bw-fs02", "bw-tms01", "bw-dc01"),
        "app": (
            "Adobe Acrobat Reader",
            "7-Zip",
            "Zoom",
            "Power BI Desktop",
            "Notepad++",
            "AutoCAD Viewer",
            "Tableau Reader",
            "Python 3.12",
        ),
        "xlsx": ("Q3 rates.xlsx", "Pallet forecast.xlsx", "Carrier scorecard 2026.xlsx"),
        "login": lambda rng: f"bw{rng.randint(1000, 9999)}",
        "inv": lambda rng: f"BW-{rng.randint(1000, 9999)}",
        "start_date": ("Monday", "the 1st", "next Wednesday", "the 15th"),
        "meeting_day": ("tomorrow", "on Thursday", "on Friday", "next Tuesday"),
        "backup_date": ("yesterday evening", "Friday morning", "the end of last week"),
        "ext": lambda rng: str(rng.randint(4100, 4399)),
        "time": ("11:00", "14:30", "15:00", "16:00"),
    },
)
