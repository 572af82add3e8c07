/* nstack - the command-line front end (placeholder until the command lands). */
#include <stdio.h>

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("nstack\n");
	return 0;
}
