package org.vstation.manager.net;

import java.util.List;

/**
 * One user-mode gateway's addresses: the subnet, the addresses it answers
 * for (gateway and DNS), the DHCP pool, and what it lets through to the host.
 *
 * @param dnsAddress       the DNS relay's address on the subnet, or 0 for none
 * @param router           the default route handed out by DHCP, or 0 for none (host-only)
 * @param forwardGuestAddress where inbound port forwards go (normally the first pool address)
 */
public record GatewayConfig(
        String name,
        int network,
        int prefixLength,
        int gatewayAddress,
        int dnsAddress,
        int router,
        int firstGuestAddress,
        int guestPoolSize,
        int leaseSeconds,
        byte[] gatewayMac,
        GatewayPolicy policy,
        List<PortForward> forwards,
        int forwardGuestAddress) {

    public int subnetMask() {
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    public boolean inSubnet(int address) {
        return (address & subnetMask()) == network;
    }

    public boolean owns(int address) {
        return address == gatewayAddress || (dnsAddress != 0 && address == dnsAddress);
    }
}
