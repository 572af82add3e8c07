/* version.c - the library's version string. */
const char *ns_version(void)
{
	return "0.1.0";
}
