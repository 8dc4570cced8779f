// pcap_findalldevs for `live --list`: what the user can pass as --interface.
#include "interfaces.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <sys/socket.h>

namespace vma {

namespace {

// Only IP addresses help the user pick an interface; link-layer entries are skipped.
bool FormatAddress(const struct sockaddr* sa, char* out, size_t size) {
  if (sa == nullptr) return false;
  if (sa->sa_family == AF_INET) {
    return inet_ntop(AF_INET, &reinterpret_cast<const struct sockaddr_in*>(sa)->sin_addr, out, size) != nullptr;
  }
  if (sa->sa_family == AF_INET6) {
    return inet_ntop(AF_INET6, &reinterpret_cast<const struct sockaddr_in6*>(sa)->sin6_addr, out, size) != nullptr;
  }
  return false;
}

}  // namespace

Napi::Value ListInterfaces(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  pcap_if_t* all = nullptr;
  char errbuf[PCAP_ERRBUF_SIZE] = {0};
  if (pcap_findalldevs(&all, errbuf) < 0) {
    Napi::Error error = Napi::Error::New(env, std::string("pcap_findalldevs: ") + errbuf);
    error.Set("code", Napi::String::New(env, "FINDALLDEVS"));
    throw error;
  }
  Napi::Array result = Napi::Array::New(env);
  uint32_t i = 0;
  for (pcap_if_t* d = all; d != nullptr; d = d->next) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", d->name);
    o.Set("description", d->description ? Napi::String::New(env, d->description) : env.Null());
    Napi::Array addresses = Napi::Array::New(env);
    uint32_t j = 0;
    for (pcap_addr_t* a = d->addresses; a != nullptr; a = a->next) {
      char text[INET6_ADDRSTRLEN];
      if (FormatAddress(a->addr, text, sizeof text)) addresses.Set(j++, text);
    }
    o.Set("addresses", addresses);
    o.Set("up", (d->flags & PCAP_IF_UP) != 0);
    o.Set("running", (d->flags & PCAP_IF_RUNNING) != 0);
    o.Set("loopback", (d->flags & PCAP_IF_LOOPBACK) != 0);
    result.Set(i++, o);
  }
  pcap_freealldevs(all);
  return result;
}

}  // namespace vma
