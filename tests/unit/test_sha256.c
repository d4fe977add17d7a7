/*
 * SHA-256 against the FIPS 180-4 examples (NIST "Example Algorithm"
 * documents): "abc", the two-block message, the empty string, and a
 * million 'a' fed in uneven pieces.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "sha256.h"

static void hash_of(const char *text, char out[65])
{
    sim_sha256 c;
    sim_sha256_init(&c);
    sim_sha256_update(&c, text, strlen(text));
    sim_sha256_hex(&c, out);
}

static void test_known_answers(void **state)
{
    (void)state;
    char h[65];
    hash_of("abc", h);
    assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    hash_of("", h);
    assert_string_equal(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    hash_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", h);
    assert_string_equal(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_million_a_in_pieces(void **state)
{
    (void)state;
    static char a[1000];
    memset(a, 'a', sizeof a);
    sim_sha256 c;
    sim_sha256_init(&c);
    size_t done = 0, piece = 1;
    while (done < 1000000) {
        size_t n = piece < 1000000 - done ? piece : 1000000 - done;
        if (n > sizeof a) n = sizeof a;
        sim_sha256_update(&c, a, n);
        done += n;
        piece = piece * 7 % 997 + 1; /* uneven pieces cross block edges */
    }
    char h[65];
    sim_sha256_hex(&c, h);
    assert_string_equal(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_answers),
        cmocka_unit_test(test_million_a_in_pieces),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
