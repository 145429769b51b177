// The control channel: request parsing and the socket's file mode.
#include "server/control.h"

#include <sys/stat.h>

#include "gtest/gtest.h"
#include "tests/server/rootd_process.h"

namespace rootd::server {
namespace {

TEST(ControlServer, SocketIsOwnerOnlyWhateverTheUmask) {
  const std::string path = rootd::testing::MakeTempDir("control") + "/rootd.ctl";
  const mode_t old_umask = umask(0);  // the most permissive umask a caller could have
  auto server = ControlServer::Create(path, [](const ControlRequest&) { return ControlReply{}; });
  const mode_t umask_after = umask(old_umask);
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_EQ(umask_after, 0u) << "Create must restore the caller's umask";
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(ControlServer, AnswersARequest) {
  const std::string path = rootd::testing::MakeTempDir("control") + "/rootd.ctl";
  auto server = ControlServer::Create(path, [](const ControlRequest& request) {
    return ControlReply{.ok = true, .body = request.command + "|" + request.argument};
  });
  ASSERT_TRUE(server.ok()) << server.status();
  (*server)->Start();
  auto reply = ControlCall(path, ControlRequest{.command = "reload", .argument = "x.zone"}, 5000);
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_TRUE(reply->ok);
  EXPECT_EQ(reply->body, "reload|x.zone");
}

TEST(ControlRequest, ParsesJsonCommandAndArgument) {
  auto request = ParseControlRequest("--json reload /srv/root.zone\n");
  ASSERT_TRUE(request.ok());
  EXPECT_TRUE(request->json);
  EXPECT_EQ(request->command, "reload");
  EXPECT_EQ(request->argument, "/srv/root.zone");
  auto words = ParseControlRequest("clock  set 2017-09-12T00:00:00Z");
  ASSERT_TRUE(words.ok());
  EXPECT_EQ(words->command, "clock");
  EXPECT_EQ(words->argument, "set 2017-09-12T00:00:00Z");  // the rest, words joined by one space
  EXPECT_FALSE(ParseControlRequest("\n").ok());
}

}  // namespace
}  // namespace rootd::server
